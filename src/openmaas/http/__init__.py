"""The request layer: which API family a request belongs to, who is calling and in which scope, the
app's typed state, the request's transaction, and the one error handler. Every package's
``routes.py`` is of this layer too; nothing below it (the resource packages' services and
repositories, auth, db) imports it."""
