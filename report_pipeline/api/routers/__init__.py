"""One router per resource; each handler validates, calls a plain function, shapes the reply."""
