"""Chinese notice templates (jinja2, plain text): one file per notice kind, blocks `subject` and `body`."""
