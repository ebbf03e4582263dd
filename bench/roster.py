#!/usr/bin/env python3
"""A config for benchmarks: config.example.toml's program with N generated reps (50 to a
manager, over 20 timezones, paired automatically), optionally with another kickoff date.

    bench/roster.py 10000 [--kickoff 2027-01-11] [--questions 40] > /tmp/c10000.toml

--questions N replaces the example's reinforcement questions with N generated ones, spread
over its four skills. With --csv, --opportunities N also writes DIR/opportunities.csv, N deals
in a Salesforce report's column names owned by the reps in turn, and the [outcomes] section
that maps them.

With --csv DIR it writes DIR/config.toml and the roster as DIR/people.csv instead, everyone
listed by email only, as an HR export would have them:

    bench/roster.py 200 --csv /tmp/roster200
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
parser.add_argument("--csv", help="write DIR/config.toml and DIR/people.csv")
parser.add_argument("--questions", type=int, help="N generated reinforcement questions")
parser.add_argument("--opportunities", type=int, help="with --csv: N deals in DIR/opportunities.csv")
args = parser.parse_args()
example = (pathlib.Path(__file__).parent.parent / "config.example.toml").read_text()
out, skipping = [], False
for line in example.splitlines():
    if line.startswith("["):
        skipping = line in ("[[people]]", "[[pairs]]") or (line == "[roster]" and not args.csv) \
            or (line == "[[questions]]" and args.questions is not None)
    if skipping:
        continue
    if args.csv and line.startswith("csv ="):
        line = 'csv = "people.csv"'
    line = line.replace('mode = "config"', 'mode = "auto"')
    if args.kickoff and line.startswith("kickoff ="):
        line = f"kickoff = {args.kickoff}"
    out.append(line)
SKILLS = ["discovery", "objections", "competitive", "next-steps"]
for q in range(args.questions or 0):
    out.append(f'[[questions]]\nid = "q{q}"\nskill = "{SKILLS[q % 4]}"\nprompt = "Question {q}?"\n'
               f'choices = ["Right {q}", "Wrong {q}", "Also wrong {q}"]\ncorrect = "Right {q}"')
if args.csv:
    directory = pathlib.Path(args.csv)
    directory.mkdir(parents=True, exist_ok=True)
    rows = ["email,name,role,manager_email,team,timezone,calendar",
            "ops@example.com,Ops Admin,admin,,Ops,UTC,"]
    calendar = {"Asia/Kolkata": "india", "Europe/London": "uk"}
    for m in range((args.reps + 49) // 50):
        tz = TIMEZONES[m % 20]
        rows.append(f"manager{m}@example.com,Manager {m},manager,,T{m},{tz},{calendar.get(tz, '')}")
    for r in range(args.reps):
        tz = TIMEZONES[r % 20]
        rows.append(f"rep{r}@example.com,\"Rep {r}, Jr.\",rep,manager{r // 50}@example.com,"
                    f"T{r // 50},{tz},{calendar.get(tz, '')}")
    (directory / "people.csv").write_text("\n".join(rows) + "\n")
    if args.opportunities:
        deals = ["Opportunity Owner: Email,Opportunity ID,Opportunity Name,Account Name,Amount,"
                 "Created Date,Close Date,Won,Stage"]
        ends = [("2027-03-15", "true", "Closed Won"), ("2027-03-20", "false", "Closed Lost"),
                ("2027-04-30", "", "Negotiation")]
        for i in range(args.opportunities):
            closed, won, stage = ends[i % 3]
            deals.append(f'rep{i % max(args.reps, 1)}@example.com,006{i:06},Deal {i},'
                         f'"Account {i}, Inc.","{1 + i % 90},{i % 1000:03}.00",'
                         f'2027-01-{1 + i % 28:02},{closed},{won},{stage}')
        (directory / "opportunities.csv").write_text("\n".join(deals) + "\n")
        out.append('[outcomes]\ncsv = "opportunities.csv"\n\n[outcomes.columns]\n'
                   'id = "Opportunity ID"\nname = "Opportunity Name"\n'
                   'owner_email = "Opportunity Owner: Email"\namount = "Amount"\n'
                   'created = "Created Date"\nclosed = "Close Date"\nwon = "Won"\n'
                   'stage = "Stage"\naccount = "Account Name"')
    (directory / "config.toml").write_text("\n".join(out) + "\n")
    raise SystemExit(0)
out.append('[[people]]\nslack_id = "UADMIN"\nrole = "admin"\ntimezone = "UTC"')
for m in range((args.reps + 49) // 50):
    out.append(f'[[people]]\nslack_id = "UM{m:04}"\nname = "Manager {m}"\nrole = "manager"\n'
               f'team = "T{m}"\ntimezone = "{TIMEZONES[m % 20]}"')
for r in range(args.reps):
    out.append(f'[[people]]\nslack_id = "UR{r:05}"\nname = "Rep {r}"\nrole = "rep"\n'
               f'manager = "UM{r // 50:04}"\nteam = "T{r // 50}"\ntimezone = "{TIMEZONES[r % 20]}"')
print("\n".join(out))
