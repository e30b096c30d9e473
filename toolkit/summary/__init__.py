"""The summary stage of the round trip; it imports core and store, never another stage."""
