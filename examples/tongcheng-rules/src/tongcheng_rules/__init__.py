"""桐城市政协委员履职考核 — a xieshang rule plugin."""
