"""The application layer: each module performs one kind of change on a mediation, inside the
caller's unit of work, so the API, the web client, the consumers and the sweepers share one path."""
