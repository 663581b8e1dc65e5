"""The composition root: how the four services and the project's own package are put together into
a platform (which settings and runtime a service name stands for, the queue topology, the entry
points: one service or all four in one process, `make run`, `make run-distributed` and its
supervisor, migrating and seeding every service, development tokens).

Nothing under services/ or shared/ imports it: it is the one package that knows them all."""
