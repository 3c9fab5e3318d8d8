"""The realtime service: batch events pushed to browsers over Socket.IO (see realtime.app)."""
