"""HTTP routes: one router per resource, thin handlers over the services."""
