"""Management commands of plugins: keys, OAuth clients, hostnames and the demo set-up."""
