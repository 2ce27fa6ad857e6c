"""Read models: each follows the event store from its own tracked position."""
