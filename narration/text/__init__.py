"""Stage 1: text. Clean a raw long text, split it into chapter scripts, normalise it to spoken form."""
