# Independent expected values for time_cases.rs (`python3 gen_dst_cases.py` prints the rows of
# dst_cases(); rustfmt then wraps them). Python's zoneinfo, PEP 495 fold=0: the earlier
# instant in a fold, the offset before the change in a gap. Python 3.9+ with the system tz data.
from zoneinfo import ZoneInfo
from datetime import datetime, timedelta, timezone
UTC = timezone.utc

def transitions(zone, year):
    z = ZoneInfo(zone)
    t = datetime(year, 1, 1, tzinfo=UTC)
    end = datetime(year + 1, 1, 1, tzinfo=UTC)
    prev = t.astimezone(z).utcoffset()
    out = []
    while t < end:
        n = t + timedelta(minutes=15)
        o = n.astimezone(z).utcoffset()
        if o != prev:
            out.append((n, prev, o))
        prev = o
        t = n
    return out

def off(td):
    s = int(td.total_seconds()); sign = '-' if s < 0 else '+'; s = abs(s)
    return f"{sign}{s//3600:02d}:{s%3600//60:02d}"

def case(zone, naive):
    z = ZoneInfo(zone)
    a = naive.replace(tzinfo=z, fold=0); b = naive.replace(tzinfo=z, fold=1)
    ua, ub = a.astimezone(UTC), b.astimezone(UTC)
    kind = ""
    if a.utcoffset() != b.utcoffset():
        # round trip tells a gap (the wall time does not come back) from a fold
        kind = "fold" if ua.astimezone(z).replace(tzinfo=None) == naive else "gap"
    utc = ua.strftime("%Y-%m-%dT%H:%M:%SZ")
    local = naive.strftime("%Y-%m-%dT%H:%M:%S") + off(a.utcoffset())
    return f'    c("{zone}", "{naive:%Y-%m-%d %H:%M:%S}", "{utc}", "{local}", "{kind}"),'

for zone in ["America/New_York", "Europe/London", "Australia/Lord_Howe"]:
    for year in [2002, 2024]:
        for (when, before, after) in transitions(zone, year):
            wall_before = (when + before).replace(tzinfo=None)   # wall clock reading at the change, old offset
            wall_after = (when + after).replace(tzinfo=None)
            lo, hi = min(wall_before, wall_after), max(wall_before, wall_after)
            mid = lo + (hi - lo) / 2
            print(f"    // {zone} {when:%Y-%m-%d %H:%M}Z: {off(before)} -> {off(after)} ({'gap' if after > before else 'fold'} {lo:%H:%M}-{hi:%H:%M})")
            for n in [lo - timedelta(seconds=1), lo, mid, hi - timedelta(seconds=1), hi]:
                print(case(zone, n))
for n in ["2002-05-08 13:29:44", "2002-12-31 23:59:59", "2024-03-10 02:30:00"]:
    print(case("Asia/Tokyo", datetime.fromisoformat(n)))
