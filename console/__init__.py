"""The web console (控制台): task list, cases, live processes, dashboards and intake, in Chinese."""
