"""Load shapes. Use with the personas: `locust -f loadtests/locustfile.py,loadtests/shapes.py …`.

The "Monday 8:00 bell" replays scale.md §2–4 compressed in time: the 07:00–08:00 rise, the bell (3 × the
hour's rate for a few minutes, k = 3), the roll-call burst, then the 09:00 level. Duration is bounded
(`MBN_LOADTEST_SHAPE_SECONDS`, 180 s by default); the peak number of users is `MBN_LOADTEST_PEAK_USERS`
(60 by default, sized for a 2-core laptop; a staging run scales it up).
"""

from __future__ import annotations

import os

from locust import LoadTestShape

# (share of the duration at which the stage ends, share of the peak users, spawn rate as a share of peak/s)
MONDAY_BELL_STAGES: tuple[tuple[float, float, float], ...] = (
    (0.15, 0.10, 0.05),  # 07:00: parents before work
    (0.35, 0.30, 0.10),  # 07:30: pupils check the timetable
    (0.45, 0.33, 0.10),  # 07:55: steady before the bell
    (0.55, 1.00, 1.00),  # 08:00: the bell, k = 3 on the hour's rate, all at once
    (0.70, 0.80, 0.50),  # 08:05: roll calls, still high
    (0.85, 0.50, 0.50),  # 08:15: classes under way
    (1.00, 0.25, 0.50),  # 09:00 level
)


class MondayBellShape(LoadTestShape):
    """Users over time for a Monday morning around the 8:00 bell; stops by itself at the end."""

    def __init__(self) -> None:
        super().__init__()
        self.duration = float(os.environ.get("MBN_LOADTEST_SHAPE_SECONDS", "180"))
        self.peak_users = int(os.environ.get("MBN_LOADTEST_PEAK_USERS", "60"))

    def tick(self) -> tuple[int, float] | None:
        elapsed = self.get_run_time()
        for end, users_share, rate_share in MONDAY_BELL_STAGES:
            if elapsed < end * self.duration:
                users = max(1, round(users_share * self.peak_users))
                return users, max(1.0, rate_share * self.peak_users)
        return None
