"""Plugin hosts: the Plugin model, host routing, manifests, OpenAPI specs, logos and auth."""
