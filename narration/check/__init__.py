"""The check stage: listen to the clips with a speech recogniser and flag those that say something else.

``asr`` (the recogniser), ``align`` (normalisation, alignment, WER), ``verdicts`` (rules and the
cache of what was heard), ``api`` (``check_book``), ``fix`` (new takes), ``report``.
"""

DEFAULT_MAX_WER = 0.3  # a clip with a higher word error rate is flagged (see verdicts.Rules)
DEFAULT_TAKES = 3  # --fix: takes a flagged clip may have in all
