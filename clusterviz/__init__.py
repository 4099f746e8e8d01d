"""ClusterViz's Django project: storage, runtime and the Kubernetes API around `simcore`."""
