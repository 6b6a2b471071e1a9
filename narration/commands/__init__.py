"""Click commands kept out of ``narration.cli`` (each registered there with ``cli.add_command``)."""
