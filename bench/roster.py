#!/usr/bin/env python3
"""A config for benchmarks: config.example.toml's program with N generated reps (50 to a
manager, over 20 timezones, paired automatically), optionally with another kickoff date.

    bench/roster.py 10000 [--kickoff 2027-01-11] > /tmp/c10000.toml
"""
import argparse
import pathlib

TIMEZONES = [
    "America/New_York", "America/Chicago", "America/Denver", "America/Los_Angeles",
    "America/Sao_Paulo", "America/Toronto", "America/Mexico_City", "Europe/London",
    "Europe/Paris", "Europe/Berlin", "Europe/Madrid", "Europe/Warsaw", "Africa/Johannesburg",
    "Asia/Dubai", "Asia/Kolkata", "Asia/Singapore", "Asia/Tokyo", "Asia/Shanghai",
    "Australia/Sydney", "Pacific/Auckland",
]

parser = argparse.ArgumentParser()
parser.add_argument("reps", type=int)
parser.add_argument("--kickoff")
args = parser.parse_args()
example = (pathlib.Path(__file__).parent.parent / "config.example.toml").read_text()
out, skipping = [], False
for line in example.splitlines():
    if line.startswith("["):
        skipping = line in ("[[people]]", "[[pairs]]")
    if skipping:
        continue
    line = line.replace('mode = "config"', 'mode = "auto"')
    if args.kickoff and line.startswith("kickoff ="):
        line = f"kickoff = {args.kickoff}"
    out.append(line)
out.append('[[people]]\nslack_id = "UADMIN"\nrole = "admin"\ntimezone = "UTC"')
for m in range((args.reps + 49) // 50):
    out.append(f'[[people]]\nslack_id = "UM{m:04}"\nname = "Manager {m}"\nrole = "manager"\n'
               f'team = "T{m}"\ntimezone = "{TIMEZONES[m % 20]}"')
for r in range(args.reps):
    out.append(f'[[people]]\nslack_id = "UR{r:05}"\nname = "Rep {r}"\nrole = "rep"\n'
               f'manager = "UM{r // 50:04}"\nteam = "T{r // 50}"\ntimezone = "{TIMEZONES[r % 20]}"')
print("\n".join(out))
