"""SQL for endpoint usage."""
