"""HTTP-level fakes of third-party services our real client code (the official SDKs) talks to."""
