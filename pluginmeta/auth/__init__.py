"""Who is calling: each auth type's DRF authentication, keys, sign-in limits and OAuth."""
