"""Composing a broadcast: /siaran step by step (compose, audience), drafts, the preview, when
it goes (timing), writing its rows, the past ones and stopping them, and their audit rows."""
