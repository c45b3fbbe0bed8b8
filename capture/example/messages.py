"""User-visible strings of the example assistant app."""

from __future__ import annotations

NOT_JSON = "send a JSON object (Content-Type: application/json)"
BAD_MESSAGE = "message must be a non-empty string of at most {limit} characters"
BAD_CONVERSATION_ID = "conversation_id must be 1-128 characters of A-Z a-z 0-9 _ . : @ / + = -"
BAD_HISTORY = (
    "history must be a list of at most {limit} messages, each {{'role': 'user'|'assistant', 'content': str}}"
)
HISTORY_ONLY_AT_START = "history is accepted only when a conversation starts; send just the new message"
CONVERSATION_TAKEN = "that conversation_id is already in use; omit it to get a fresh one"
NOT_YOURS = "this conversation belongs to another user"
UNKNOWN_RESPONSE = "unknown conversation_id or response_id: regenerate an answer this page showed"
SERVING = "example assistant on http://{host}:{port}/ (capture spool: {spool})"
