"""One router per resource; handlers are a few lines that call the Engine."""
