"""The Kubernetes API a real kubectl talks to, one base URL per cluster."""
