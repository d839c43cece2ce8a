"""What the server answers over HTTP: the JSON API, the letter, error handlers, input validation."""
