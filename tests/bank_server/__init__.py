"""HTTP tests of the standalone server's bank extension, against real server processes."""
