"""A Kafka topic over time: read as the job reads it, its clock, where a group starts, what retention deleted, its generations (a re-created topic)."""
