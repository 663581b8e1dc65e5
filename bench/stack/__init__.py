"""The whole platform under load (not named `platform`: that would shadow the standard library for
`python bench/routing_bench.py`): four service processes, RabbitMQ, PostgreSQL, a webhook receiver
and wrk, started and torn down by the benchmark itself (python -m bench.run).

One job a module:
- scenarios: the run from start to finish (floor, platform up, warm-up, scenarios, idle);
- infra: scratch databases and vhost; cluster: the service processes; process: any child process;
- provision: tokens, capacity, webhook endpoints through the public API;
- cases, ids: the case bodies; load, load.lua: wrk; receiver: the partners' webhook endpoint;
- timings: accepted / routed / delivered times; backlog, monitor: queued work and connections;
- cpu: CPU time per part; logs: what the service logs said; waiting: the one polling loop;
- figures, report, plot: the numbers, the markdown, the PNG.
"""
