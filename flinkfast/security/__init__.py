"""What guards the stack: certificates, the read-only gate in front of Flink's REST API, private network namespaces."""
