BeforeAll {
    . $PSScriptRoot/common.ps1

    function New-MetricsHost {
        $m = New-OomMachine -Name web1 -Memory 8GB
        New-OomCgroup -Machine $m -Path /batch -MemoryMax 1GB | Out-Null
        Add-OomTask -Machine $m -Pid 1 -Name systemd -AnonRss 12MB | Out-Null
        Add-OomTask -Machine $m -Pid 100 -Name db -AnonRss 3GB -OomScoreAdj -500 | Out-Null
        Add-OomTask -Machine $m -Pid 101 -Name db -AnonRss 1GB | Out-Null
        Add-OomTask -Machine $m -Pid 200 -Name 'we"b\x' -AnonRss 1GB | Out-Null
        Add-OomTask -Machine $m -Pid 300 -Name batch -AnonRss 900MB -Cgroup /batch | Out-Null
        Add-OomTask -Machine $m -Pid 400 -Name small -AnonRss 10MB | Out-Null
        Invoke-OutOfMemory -Machine $m -Cgroup /batch | Out-Null
        $m
    }

    # The OpenMetrics text format's rules (https://prometheus.io/docs/specs/om/open_metrics_spec/), as far as
    # this exporter uses them: returns the broken rules, one string each (none for valid text).
    function Test-OpenMetricsText([string]$Text) {
        $problems = [System.Collections.Generic.List[string]]::new()
        $name = '[a-zA-Z_:][a-zA-Z0-9_:]*'
        $labelValue = '"(?:[^"\\\n]|\\\\|\\"|\\n)*"'
        $labels = "\{(?:[a-zA-Z_][a-zA-Z0-9_]*=$labelValue(?:,[a-zA-Z_][a-zA-Z0-9_]*=$labelValue)*)?\}"
        if (-not $Text.EndsWith("# EOF`n")) { $problems.Add('the text does not end with "# EOF" and a line feed') }
        $lines = $Text.TrimEnd("`n") -split "`n"
        if ($lines[-1] -ne '# EOF') { $problems.Add("the last line is '$($lines[-1])', not '# EOF'") }
        $types = @{}; $seen = [System.Collections.Generic.HashSet[string]]::new(); $current = $null
        for ($i = 0; $i -lt $lines.Count - 1; $i++) {
            $line = $lines[$i]
            if ($line -eq '# EOF') { $problems.Add("line $($i + 1): # EOF before the end"); continue }
            if ($line -match "^# (TYPE|HELP|UNIT) ($name) (.*)$") {
                $kind, $family, $rest = $Matches[1], $Matches[2], $Matches[3]
                if ($kind -eq 'TYPE') {
                    if (-not $seen.Add($family)) { $problems.Add("line $($i + 1): family $family is described twice") }
                    if ($rest -notin 'gauge', 'counter') { $problems.Add("line $($i + 1): type '$rest'") }
                    $types[$family] = $rest; $current = $family
                } elseif ($family -ne $current) { $problems.Add("line $($i + 1): $kind of $family outside its family") }
                if ($kind -eq 'UNIT' -and -not $family.EndsWith("_$rest")) { $problems.Add("line $($i + 1): $family does not end with its unit $rest") }
                if ($kind -eq 'HELP' -and $rest -match '(?<!\\)\\(?![\\n])') { $problems.Add("line $($i + 1): bad escape in HELP") }
                continue
            }
            if ($line.StartsWith('#')) { $problems.Add("line $($i + 1): unknown comment '$line'"); continue }
            if ($line -notmatch "^($name)($labels)? (-?[0-9]+(?:\.[0-9]+)?)$") { $problems.Add("line $($i + 1): not a sample: '$line'"); continue }
            $sample = $Matches[1]
            if ($null -eq $current) { $problems.Add("line $($i + 1): sample $sample before any TYPE"); continue }
            $expected = if ($types[$current] -eq 'counter') { "${current}_total" } else { $current }
            if ($sample -ne $expected) { $problems.Add("line $($i + 1): sample $sample in family $current ($($types[$current])) should be $expected") }
            if (-not $sample.StartsWith('oomtools_')) { $problems.Add("line $($i + 1): $sample lacks the oomtools_ prefix") }
        }
        , $problems
    }

    $script:Python = @('/usr/bin/python3', 'python3') | Where-Object { Get-Command $_ -ErrorAction Ignore } |
        Where-Object { & $_ -c 'import prometheus_client.openmetrics.parser' 2>$null; $LASTEXITCODE -eq 0 } | Select-Object -First 1
}

Describe 'Export-OomMetrics' {
    BeforeAll {
        $m = New-MetricsHost
        $text = Export-OomMetrics -Machine $m -Critical db -Top 2
        $dir = Join-Path ([System.IO.Path]::GetTempPath()) "oomtools-metrics-$([guid]::NewGuid().ToString('N'))"
        $null = New-Item -ItemType Directory -Path $dir
    }
    AfterAll { Remove-Item -LiteralPath $dir -Recurse -Force -ErrorAction Ignore }

    It 'returns one string that keeps every rule of the OpenMetrics text format' {
        @($text).Count | Should -Be 1
        $text | Should -BeOfType ([string])
        Test-OpenMetricsText $text | Should -BeNullOrEmpty
    }

    It 'the validator catches what the format forbids' {
        Test-OpenMetricsText "oomtools_x 1`n# EOF`n" | Should -Match 'before any TYPE'
        Test-OpenMetricsText "# TYPE oomtools_x counter`noomtools_x 1`n# EOF`n" | Should -Match 'should be oomtools_x_total'
        Test-OpenMetricsText "# TYPE oomtools_x gauge`noomtools_x 1`n" | Should -Match 'EOF'
        Test-OpenMetricsText "# TYPE oomtools_x gauge`noomtools_x{a=`"q`"`"} 1`n# EOF`n" | Should -Match 'not a sample'
        Test-OpenMetricsText "# TYPE oomtools_x gauge`n# UNIT oomtools_x bytes`noomtools_x 1`n# EOF`n" | Should -Match 'unit bytes'
    }

    It 'parses with the prometheus_client OpenMetrics parser' {
        if (-not $script:Python) {
            Set-ItResult -Skipped -Because 'python3 with prometheus_client is not installed (.ci/run installs python3-prometheus-client from the distribution)'
            return
        }
        $script = @'
import json, sys
from prometheus_client.openmetrics.parser import text_string_to_metric_families
out = []
for f in text_string_to_metric_families(open(sys.argv[1], encoding='utf-8').read()):
    out.append({"name": f.name, "type": f.type, "unit": f.unit,
                "samples": [{"name": s.name, "labels": s.labels, "value": s.value} for s in f.samples]})
print(json.dumps(out))
'@
        # From a file: a pipe to a native command would add a line feed after # EOF, which the parser refuses.
        $file = Join-Path $dir 'parse.prom'
        [System.IO.File]::WriteAllText($file, $text)
        $json = & $script:Python -c $script $file
        Remove-Item -LiteralPath $file
        $LASTEXITCODE | Should -Be 0
        $families = $json | ConvertFrom-Json
        $byName = @{}; foreach ($f in $families) { $byName[$f.name] = $f }
        $byName['oomtools_oom_score'].type | Should -Be 'gauge'
        $byName['oomtools_oom_kills'].type | Should -Be 'counter'
        $byName['oomtools_oom_kills'].samples[0].name | Should -Be 'oomtools_oom_kills_total'
        $byName['oomtools_oom_kills'].samples[0].value | Should -Be 1
        $byName['oomtools_critical_margin_bytes'].unit | Should -Be 'bytes'
        # The escaped comm comes back as it was.
        @($byName['oomtools_oom_score'].samples | Where-Object { $_.labels.pid -eq '200' })[0].labels.comm | Should -Be 'we"b\x'
    }

    It 'gives oom_score to the -Top processes and every critical one, as Get-OomBadness reports it' {
        $scores = [regex]::Matches($text, '(?m)^oomtools_oom_score\{pid="(\d+)",comm="((?:[^"\\]|\\.)*)",cgroup="([^"]*)"\} (\d+)$')
        @($scores | ForEach-Object { [int]$_.Groups[1].Value }) | Should -Be @(100, 101, 200)
        foreach ($s in $scores) {
            $b = Get-OomBadness -Machine $m -Pid ([int]$s.Groups[1].Value)
            [long]$s.Groups[4].Value | Should -Be $b.OomScore
        }
        $text | Should -Match '(?m)^oomtools_oom_score\{pid="200",comm="we\\"b\\\\x",cgroup="/"\} \d+$'
        Export-OomMetrics -Machine $m -Top 10 | Should -Match '(?m)^oomtools_oom_score\{pid="300",comm="batch",cgroup="/batch"\} \d+$'
        $text | Should -Not -Match 'pid="400"'
        $text | Should -Not -Match 'pid="1"'
    }

    It 'exports the rank, protection and margin Test-OomProtection gives each critical service' {
        $p = Test-OomProtection -Machine $m -Name db
        $text | Should -Match "(?m)^oomtools_critical_rank\{service=`"db`"\} $($p.Rank)$"
        $text | Should -Match "(?m)^oomtools_critical_protected\{service=`"db`"\} $([int]$p.Protected)$"
        $text | Should -Match "(?m)^oomtools_critical_margin_pages\{service=`"db`"\} $($p.MarginPages)$"
        $text | Should -Match "(?m)^oomtools_critical_margin_bytes\{service=`"db`"\} $($p.MarginPages * 4096)$"
        $text | Should -Match '(?m)^# UNIT oomtools_critical_margin_bytes bytes$'
    }

    It 'counts the kills so far and each OOM-ed cgroup''s counters' {
        $text | Should -Match '(?m)^# TYPE oomtools_oom_kills counter$'
        $text | Should -Match '(?m)^oomtools_oom_kills_total 1$'
        $text | Should -Match '(?m)^oomtools_cgroup_oom_kills_total\{cgroup="/batch"\} 1$'
        # out_of_memory called directly, not from a charge (mem_cgroup_oom): no memory.events oom event.
        $text | Should -Match '(?m)^oomtools_cgroup_ooms_total\{cgroup="/batch"\} 0$'
        $text | Should -Not -Match 'cgroup_oom_kills_total\{cgroup="/"\}'
    }

    It 'adds the snapshot''s /proc/vmstat oom_kill to the kills' {
        $h = New-MetricsHost
        $h.VmstatOomKill = 41
        Export-OomMetrics -Machine $h -Top 0 | Should -Match '(?m)^oomtools_oom_kills_total 42$'
    }

    It 'without -Critical writes no critical families; -Top 0 no oom_score samples' {
        $t = Export-OomMetrics -Machine $m -Top 0
        $t | Should -Not -Match 'oomtools_critical'
        $t | Should -Not -Match '(?m)^oomtools_oom_score\{'
        Test-OpenMetricsText $t | Should -BeNullOrEmpty
    }

    It 'a -Critical name that matches nothing is a TaskNotFound error, and the rest is written' {
        $t = Export-OomMetrics -Machine $m -Critical nosuch, db -Top 0 -ErrorVariable err -ErrorAction SilentlyContinue
        $err[0].FullyQualifiedErrorId | Should -BeLike 'TaskNotFound,*'
        $t | Should -Match 'service="db"'
    }

    It 'writes the file atomically: no temporary file is left, and it replaces an older file' {
        $path = Join-Path $dir 'oomtools.prom'
        Set-Content -LiteralPath $path -Value 'old'
        $file = Export-OomMetrics -Machine $m -Critical db -Top 2 -Path $path -PassThru
        $file.FullName | Should -Be $path
        [System.IO.File]::ReadAllText($path) | Should -BeExactly $text
        @(Get-ChildItem -LiteralPath $dir -Force).Name | Should -Be @('oomtools.prom')
    }

    It '-WhatIf writes nothing; -NoClobber refuses an existing file' {
        $path = Join-Path $dir 'keep.prom'
        Export-OomMetrics -Machine $m -Path $path -WhatIf
        Test-Path -LiteralPath $path | Should -BeFalse
        Set-Content -LiteralPath $path -Value 'old'
        Export-OomMetrics -Machine $m -Path $path -NoClobber -ErrorVariable err -ErrorAction SilentlyContinue
        $err[0].FullyQualifiedErrorId | Should -BeLike 'FileExists,*'
        (Get-Content -LiteralPath $path) | Should -Be 'old'
        @(Get-ChildItem -LiteralPath $dir -Force -Filter '.*tmp').Count | Should -Be 0
    }

    It 'a read-only file is replaced only with -Force' {
        $path = Join-Path $dir 'ro.prom'
        Set-Content -LiteralPath $path -Value 'old'
        (Get-Item -LiteralPath $path).IsReadOnly = $true
        Export-OomMetrics -Machine $m -Path $path -ErrorVariable err -ErrorAction SilentlyContinue
        $err[0].FullyQualifiedErrorId | Should -BeLike 'FileWriteError,*'
        Export-OomMetrics -Machine $m -Path $path -Force
        (Get-Content -LiteralPath $path)[-1] | Should -Be '# EOF'
        @(Get-ChildItem -LiteralPath $dir -Force -Filter '.*tmp').Count | Should -Be 0
    }

    It 'on a snapshot of this host, oomtools_oom_kills_total is /proc/vmstat oom_kill' -Skip:(-not (Test-Path /proc/vmstat)) {
        $before = [long]((Get-Content /proc/vmstat | Where-Object { $_ -like 'oom_kill *' }) -split ' ')[1]
        $s = Get-OomSnapshot -WarningAction SilentlyContinue
        $after = [long]((Get-Content /proc/vmstat | Where-Object { $_ -like 'oom_kill *' }) -split ' ')[1]
        $s.VmstatOomKill | Should -BeGreaterOrEqual $before
        $s.VmstatOomKill | Should -BeLessOrEqual $after
        $t = $s | Export-OomMetrics -Top 5
        Test-OpenMetricsText $t | Should -BeNullOrEmpty
        $t | Should -Match "(?m)^oomtools_oom_kills_total $($s.VmstatOomKill)$"
        # As remoting ships it: the machine document keeps the counter.
        (Import-OomMachine -Json (Export-OomMachine -Machine $s)).VmstatOomKill | Should -Be $s.VmstatOomKill
    }
}
