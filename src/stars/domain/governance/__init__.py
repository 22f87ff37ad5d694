"""Information governance rules: how long each kind of record is kept (``retention``) and
which reads of children's records look unusual (``access_review``)."""
