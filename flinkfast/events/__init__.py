"""Where the events come from: the RandomUser API (or its stand-in) and the producer that sends them to Kafka."""
