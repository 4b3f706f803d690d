"""FastAPI dependencies shared by the registry's routers and its extensions' routers."""
