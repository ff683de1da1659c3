"""SLA reports: the REST report, its CSV, the manager dashboard and each agent's own figures."""
