#!/usr/bin/env python3
"""The baseline of bench row 5 ("import"): a simple regex parser of kernel OOM reports.

Usage: parse_oom_reports.py FILE...   Prints "reports N rows N kills N lines N".
Splits a log (syslog or dmesg prefixes) into OOM reports and extracts what Import-OomReport's reports are made
of: the header (who invoked the OOM killer, gfp_mask, order, oom_score_adj), the task table's rows and the kill
line. A report starts at "invoked oom-killer", or at the "CPU: N PID:" line of a report printed without one when
the previous report is complete (has its kill line) or there is none yet.
"""
import re
import sys

PREFIX = re.compile(r'^(?:[A-Z][a-z]{2} [ \d]\d \d\d:\d\d:\d\d \S+ kernel: |\[\s*\d+\.\d+\] )')
INVOKED = re.compile(r'(\S.*?) invoked oom-killer: gfp_mask=(0x[0-9a-f]+)(?:\([^)]*\))?, (?:nodemask=\S+, )?order=(-?\d+), (?:oom_adj=-?\d+, )?oom_score_adj=(-?\d+)')
CPU = re.compile(r'^CPU: \d+ PID: (\d+) Comm: (\S+)')
ROW = re.compile(r'^\[\s*(\d+)\]((?:\s+-?\d+)+)\s+(\S.*)$')
KILL = re.compile(r'(?:Killed|Kill) process (\d+) \((.*?)\)')


def parse(path, reports):
    current = None
    with open(path, encoding='utf-8', errors='replace') as f:
        for raw in f:
            m = PREFIX.match(raw)
            if m is None:
                continue
            line = raw[m.end():].rstrip('\n')
            inv = INVOKED.search(line) if 'invoked oom-killer' in line else None
            if inv or ((current is None or current['kill']) and CPU.match(line)):
                current = {'comm': inv.group(1) if inv else CPU.match(line).group(2),
                           'gfp_mask': inv.group(2) if inv else None,
                           'order': int(inv.group(3)) if inv else None,
                           'oom_score_adj': int(inv.group(4)) if inv else None,
                           'rows': [], 'kill': None, 'lines': 0}
                reports.append(current)
            if current is None:
                continue
            current['lines'] += 1
            row = ROW.match(line)
            if row:
                current['rows'].append((int(row.group(1)), [int(x) for x in row.group(2).split()], row.group(3)))
                continue
            kill = KILL.search(line)
            if kill and current['kill'] is None:
                current['kill'] = (int(kill.group(1)), kill.group(2))


def main(paths):
    reports = []
    for path in paths:
        parse(path, reports)
    rows = sum(len(r['rows']) for r in reports)
    kills = sum(1 for r in reports if r['kill'])
    lines = sum(r['lines'] for r in reports)
    print(f'reports {len(reports)} rows {rows} kills {kills} lines {lines}')


if __name__ == '__main__':
    main(sys.argv[1:])
