-- Both sides of a COPY speak blue's server encoding ($1); green converts on input.
SELECT set_config('client_encoding', $1, false);
