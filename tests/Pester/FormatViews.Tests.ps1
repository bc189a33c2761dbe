# The views of module/OomTools.Format.ps1xml as a terminal shows them (issue 11): each is rendered at 80 and 120
# columns from objects the cmdlets made (a small machine with long names, big sizes and 7-digit pids, and the
# real report tests/fixtures/kernel-logs/memcg/memcg-1002.log). A line may not pass the width; the name and the
# numbers that decide must be there; every header is a property; sizes read in MiB/GiB while the Wide views keep
# pages. Last, the README's quickstart run as a script prints what the README shows.
BeforeDiscovery {
    $formatPath = Join-Path $PSScriptRoot '../../module/OomTools.Format.ps1xml'
    $views = @(([xml](Get-Content -Raw -LiteralPath $formatPath)).Configuration.ViewDefinitions.View)
    # A child element's text, or $null where it is missing (the runner's strict mode refuses a missing property).
    function Get-Child($node, [string]$name) { $child = $node[$name]; if ($child) { $child.InnerText } }

    # One case per view and sample: Sample names an entry of $Samples (BeforeAll); Shows must appear at both widths,
    # Wider only at 120 (the end of a long cgroup path). A Wide view is meant for 120 columns: rendered at 80 it may
    # drop columns, so only its line lengths are checked there.
    $renderCases = @(
        @{ Type = 'OomTools.Engine.Model.OomTask'; View = 'OomTask'; Sample = 'Tasks'
            Shows = '4194301', 'postgres-backup', '40 GiB', '2 GiB', '1.8 MiB', '12 MiB', '-900', '-1000', 'memory-leaker-x', '/system.slice/'
            Wider = '/system.slice/postgresql.service'; Hides = '10485760' }
        @{ Type = 'OomTools.Engine.Model.OomTask'; View = 'Wide'; Sample = 'Tasks'
            Wider = 'postgres-backup', '10485760', '524288', '83886080', '-900', 'memory-leaker-x', '461' }
        @{ Type = 'OomTools.Engine.Killer.OomCandidate'; View = 'OomCandidate'; Sample = 'Candidates'
            Shows = '4194302', 'memory-leaker-x', '18874461', '1333', '4194301', 'postgres-backup', '-5956072', '456', '-900', 'OomScoreAdjMin', 'GlobalInit', '/system.sli'
            Wider = '/system.slice/postgresql.service' }
        @{ Type = 'OomTools.Engine.Killer.OomCandidate'; View = 'OomCandidate'; Sample = 'ReportCandidates'
            Shows = '9559', 'python3', '128576', '1000', '1352', '/lab/oomlab'; Wider = '/lab/oomlab-9382-1002' }
        @{ Type = 'OomTools.Engine.Killer.OomCandidate'; View = 'Wide'; Sample = 'Candidates'
            Wider = 'postgres-backup', '-5956072', '10485760', '524288', '20480', '-16986600', '456', 'memory-leaker-x', '18874461', '18874000', '1333' }
        @{ Type = 'OomTools.Engine.Killer.OomOutcome'; View = 'OomOutcome'; Sample = 'Outcome'
            Shows = 'None', '18874368', '4194302 (memory-leaker-x)', '18874461', 'rss 1.8 MiB', 'Reason' }
        @{ Type = 'OomTools.Engine.Killer.OomOutcome'; View = 'OomOutcome'; Sample = 'Replay'
            Shows = 'Memcg', '/lab/oomlab-9382-1002', '9559 (python3)', 'KernelChoice', 'AgreesWithKernel', 'True' }
        @{ Type = 'OomTools.Engine.Model.OomMachine'; View = 'OomMachine'; Sample = 'Machine'
            Shows = '64 GiB', '8 GiB', 'V2', 'db01.example'; Wider = 'db01.example.internal' }
        @{ Type = 'OomTools.Engine.Model.MemoryCgroup'; View = 'MemoryCgroup'; Sample = 'Cgroup'
            Shows = '48 GiB', 'max', '/system.slice/postgres'; Wider = '/system.slice/postgresql.service' }
        @{ Type = 'OomTools.Engine.Model.MemoryCgroup'; View = 'MemoryCgroupList'; Sample = 'Cgroup'
            Shows = '/system.slice/postgresql.service', '48 GiB', 'max', 'TaskCount' }
        @{ Type = 'OomTools.Engine.Model.Cpuset'; View = 'Cpuset'; Sample = 'Cpuset'; Shows = '/numa0', 'False' }
        @{ Type = 'OomTools.Engine.Killer.MreleaseResult'; View = 'MreleaseResult'; Sample = 'Mrelease'
            Shows = '300', 'Success', '100 MiB' }
        @{ Type = 'OomTools.Engine.Reports.OomReport'; View = 'OomReport'; Sample = 'Reports'
            Shows = '388.111122', 'Memcg', '9559', '9567', '9571', 'python3', '/lab/oomlab'; Wider = '/lab/oomlab-9382-1002' }
        @{ Type = 'OomTools.Engine.Reports.OomReport'; View = 'Wide'; Sample = 'Reports'
            Wider = '388.111122', '6.18.44-fc-v657', 'python3', '9559', 'True' }
        @{ Type = 'OomTools.Engine.Timeline.TimelineEvent'; View = 'TimelineEvent'; Sample = 'Timeline'
            Shows = 'Exit', '4194302', '1.8 MiB', 'memory-leaker-x' }
        @{ Type = 'OomTools.Engine.Audit.KillOrderStep'; View = 'KillOrderStep'; Sample = 'KillOrder'
            Shows = '4194302', '18874461', '1.8 MiB', 'memory-leaker-x', '4194301', '-5956072', '42.1 GiB', 'postgres-backup', '/system.slice/pos'
            Wider = '/system.slice/postgresql.service' }
        @{ Type = 'OomTools.Engine.Audit.KillOrderStep'; View = 'Wide'; Sample = 'KillOrder'
            Wider = '461', '11030528', '11030989', 'postgres-backup', '/system.slice/postgresql.service' }
        @{ Type = 'OomTools.Engine.Audit.ProtectionReport'; View = 'ProtectionReport'; Sample = 'Protection'
            Shows = '4194301', '-900', 'True', 'postgres-backup', 'sshd', '-1000' }
        @{ Type = 'OomTools.Engine.Audit.ProtectionReport'; View = 'Wide'; Sample = 'Protection'
            Wider = '4194301', '-5956072', '24830533', 'postgres-backup' }
        @{ Type = 'OomTools.Engine.Proc.OomScoreAdjChange'; View = 'OomScoreAdjChange'; Sample = 'AdjChange'
            Shows = '300', '500', 'Success', 'cache' }
        @{ Type = 'OomTools.Commands.LiveOomScoreAdjWrite'; View = 'LiveOomScoreAdjWrite'; Sample = 'LiveWrite'
            Shows = '4242', '0x10'; Wider = 'oom_score_adj' }
        @{ Type = 'OomTools.Commands.KubeletScoreAdj'; View = 'KubeletScoreAdj'; Sample = 'Kubelet'
            Shows = 'Burstable', '2 GiB', '64 GiB', '969' }
        @{ Type = 'OomTools.Commands.OomNotifierRegistration'; View = 'OomNotifierRegistration'; Sample = 'Notifier'
            Shows = 'virtio_balloon', 'app01' }
        @{ Type = 'OomTools.Engine.Reports.OomWatchEvent'; View = 'OomWatchEvent'; Sample = 'Watch'
            Shows = '9559', 'python3', 'True' }
        @{ Type = 'OomTools.Engine.Log.KernelLogEntry'; View = 'KernelLogEntry'; Sample = 'Log'
            Shows = 'invoked oom-killer', 'Killed process 4194302' }
    )
    foreach ($c in $renderCases) {
        $v = $views | Where-Object { $_.Name -eq $c.View -and $_.ViewSelectedBy.TypeName -eq $c.Type }
        $c.Kind = if ($v['TableControl']) { 'Table' } elseif ($v['ListControl']) { 'List' } else { 'Custom' }
        foreach ($k in 'Shows', 'Wider', 'Hides') { $c[$k] = @($c[$k] | Where-Object { $_ }) }
    }
    $widthCases = @(foreach ($c in $renderCases) { foreach ($w in 80, 120) { $c + @{ Width = $w } } })
    $viewCases = @($views | ForEach-Object { @{ Type = $_.ViewSelectedBy.TypeName; View = $_.Name; Cases = $renderCases } })

    # The table views' column widths, read from the file: a default view (a type's first table view) is for 80
    # columns, a Wide view for 120; the last column may have no width (it takes the rest, at least 10 columns).
    $tableCases = @(foreach ($v in $views | Where-Object { $_['TableControl'] }) {
            $type = $v.ViewSelectedBy.TypeName
            $first = @($views | Where-Object { $_['TableControl'] -and $_.ViewSelectedBy.TypeName -eq $type })[0]
            $headers = @($v.TableControl.TableHeaders.TableColumnHeader)
            @{
                Type    = $type; View = $v.Name
                Columns = $headers.Count
                Widths  = @($headers | ForEach-Object { $w = Get-Child $_ 'Width'; if ($w) { [int]$w } else { 0 } })
                Screen  = if ($v.Name -eq $first.Name) { 80 } else { 120 }
            }
        })

    # Headers and list labels, each with the objects it must be a property of.
    $headerCases = @(foreach ($v in $views) {
            # A list item shown only for some objects (ItemSelectionCondition: a replay's KernelChoice) must be a
            # property of at least one sample; every other label of each.
            $items = if ($v['TableControl']) { @($v.TableControl.TableHeaders.TableColumnHeader | ForEach-Object { @{ Label = $_.Label; Always = $true } }) }
            elseif ($v['ListControl']) {
                @($v.ListControl.ListEntries.ListEntry.ListItems.ListItem | ForEach-Object {
                        $label = Get-Child $_ 'Label'
                        @{ Label = $(if ($label) { $label } else { Get-Child $_ 'PropertyName' }); Always = -not $_['ItemSelectionCondition'] }
                    })
            }
            else { $null }
            if ($items) {
                $samples = @($renderCases | Where-Object { $_.Type -eq $v.ViewSelectedBy.TypeName } | ForEach-Object Sample | Select-Object -Unique)
                @{ Type = $v.ViewSelectedBy.TypeName; View = $v.Name; Items = $items; SampleNames = $samples }
            }
        })
}

BeforeAll {
    . $PSScriptRoot/common.ps1
    $PSStyle.OutputRendering = 'PlainText'

    # 64 GiB of RAM and 8 GiB of swap: totalpages = 16777216 + 2097152 = 18874368, one adj point = 18874 pages.
    $m = New-OomMachine -Name db01.example.internal -Memory 64GB -Swap 8GB
    New-OomCgroup -Machine $m -Path /system.slice | Out-Null
    $cgroup = New-OomCgroup -Machine $m -Path /system.slice/postgresql.service -MemoryMax 48GB
    Add-OomTask -Machine $m -Pid 1 -Name systemd -Rss 12MB
    # 40 GiB rss = 10485760 pages, 2 GiB swap = 524288, 80 MiB page tables = 20480, adj term -900 * 18874 = -16986600:
    # points -5956072, oom_score (1000 + -315) * 2 / 3 = 456.
    Add-OomTask -Machine $m -Pid 4194301 -Name postgres-backup -Rss 40GB -Swap 2GB -PageTableBytes 80MB -OomScoreAdj -900 -Cgroup /system.slice/postgresql.service
    # 1887437 bytes = 461 pages (1.8 MiB), adj term 1000 * 18874 = 18874000: points 18874461, oom_score 1333.
    Add-OomTask -Machine $m -Pid 4194302 -Name memory-leaker-x -Rss 1887437 -OomScoreAdj 1000
    Add-OomTask -Machine $m -Pid 612 -Name sshd -Rss 8MB -OomScoreAdj -1000

    $script:Samples = @{
        Tasks      = @(Get-OomTask -Machine $m)
        Candidates = @(Get-OomBadness -Machine $m)
        Machine    = @($m)
        Cgroup     = @($cgroup)
        Cpuset     = @(New-OomCpuset -Machine $m -Path /numa0 -Mems 0)
        # The leaker dies first (461 pages freed), then postgres-backup: 10485760 + 524288 + 20480 = 11030528 pages.
        KillOrder  = @(Get-OomKillOrder -Machine $m -Count 3)
        # postgres-backup's margin to the leaker above it: 18874461 - -5956072 = 24830533 points.
        Protection = @(Test-OomProtection -Machine $m -Name postgres-backup, sshd)
        Kubelet    = @(Get-OomKubeletScoreAdj -QosClass Burstable -MemoryRequest 2GB -MemoryCapacity 64GB)   # 1000 - 2000/64 = 969
    }
    $Samples.Outcome = @(Invoke-OutOfMemory -Machine $m)
    $Samples.Timeline = @(Step-OomTime -Machine $m -UntilIdle)
    $Samples.Log = @(Get-OomLog -Machine $m)

    $small = New-OomMachine -Name app01 -Memory 1GB
    Add-OomTask -Machine $small -Pid 300 -Name cache -Rss 100MB
    Add-OomTask -Machine $small -Pid 500 -Name victim -Rss 300MB
    $Samples.AdjChange = @(Set-OomScoreAdj -Machine $small -Pid 300 -Value 500)
    # cache now scores 25600 + 500 * 262 = 156600 pages against victim's 76800: cache (100 MiB) is killed and reaped.
    Invoke-OutOfMemory -Machine $small | Out-Null
    $Samples.Mrelease = @(Invoke-ProcessMrelease -Machine $small -Pid 300)
    $Samples.Notifier = @(Register-OomNotifier -Machine $small -Pages 64 -Name virtio_balloon)

    $Samples.Reports = @(Import-OomReport -LiteralPath (Join-Path $RepoRoot 'tests/fixtures/kernel-logs/memcg/memcg-1002.log'))
    $Samples.Watch = @(Watch-OomEvent -Path (Join-Path $RepoRoot 'tests/fixtures/kernel-logs/memcg/memcg-1002.log') -FromStart -Count 1 -Timeout 10)
    $Samples.ReportCandidates = @(Get-OomBadness -Machine $Samples.Reports[0].Machine)
    $Samples.Replay = @(Invoke-OutOfMemory -Report $Samples.Reports[0])

    $null = New-Item -ItemType Directory -Path "$TestDrive/proc/4242" -Force
    $Samples.LiveWrite = @(Set-OomScoreAdj -Live -Pid 4242 -Value 0x10 -Force -ProcRoot "$TestDrive/proc")

    function Format-View {
        <# The objects through the view, as Out-String lays them out at -Width. #>
        param($InputObject, [string]$View, [string]$Kind, [int]$Width)
        $formatted = switch ($Kind) {
            'Table' { $InputObject | Format-Table -View $View }
            'List' { $InputObject | Format-List -View $View }
            default { $InputObject | Format-Custom -View $View }
        }
        @(($formatted | Out-String -Width $Width) -split '\r?\n')
    }
}

Describe 'The format views' {
    Context 'coverage' {
        It '<Type> view <View> is rendered by a case below' -ForEach $viewCases {
            @($Cases | Where-Object { $_.Type -eq $Type -and $_.View -eq $View }).Count | Should -BeGreaterThan 0 -Because 'a view nobody renders can outgrow 80 columns unseen'
        }

        It 'has a view for every type a cmdlet writes' {
            $plain = [string], [bool], [System.IO.FileInfo], [void]
            [xml]$format = Get-Content -Raw -LiteralPath (Join-Path $RepoRoot 'module/OomTools.Format.ps1xml')
            $viewed = @($format.Configuration.ViewDefinitions.View | ForEach-Object { $_.ViewSelectedBy.TypeName })
            $types = @(Get-Command -Module OomTools | ForEach-Object OutputType | ForEach-Object Type | Where-Object { $_ -and $_ -notin $plain } | Sort-Object FullName -Unique)
            $types.Count | Should -BeGreaterThan 10
            $missing = foreach ($t in $types) {
                $names = for ($b = $t; $b; $b = $b.BaseType) { $b.FullName }
                if (-not @($names | Where-Object { $_ -in $viewed })) { $t.FullName }
            }
            @($missing) | Should -BeNullOrEmpty
        }
    }

    Context 'widths in the file' {
        It '<Type> view <View> fits <Screen> columns' -ForEach $tableCases {
            $fixed = @($Widths | Select-Object -First ($Columns - 1))
            $fixed | Should -Not -Contain 0 -Because 'only the last column may take the rest of the line'
            $used = ($Widths | Measure-Object -Sum).Sum + $Columns - 1
            if ($Widths[-1] -eq 0) {
                $used | Should -BeLessOrEqual ($Screen - 10) -Because 'the last column keeps at least 10 characters'
            }
            else {
                $used | Should -BeLessOrEqual ($Screen - 1)
            }
        }
    }

    Context 'rendered' {
        It '<Type> view <View> (<Sample>) at <Width> columns: no line too long, the names and numbers there' -ForEach $widthCases {
            $objects = $Samples[$Sample]
            $objects | Should -Not -BeNullOrEmpty -Because "the sample $Sample must hold objects"
            $lines = Format-View $objects $View $Kind $Width
            $text = $lines -join "`n"
            @($lines | Where-Object Length -GT $Width) | Should -BeNullOrEmpty
            if ($Type -eq 'OomTools.Engine.Log.KernelLogEntry') {
                # The kernel's lines as dmesg prints them, wrapped at the width: nothing added, nothing cut.
                ($lines -join '') | Should -BeExactly ((@($objects | ForEach-Object { $_.ToString() }) -join ''))
            }
            $expected = if ($View -eq 'Wide' -and $Width -lt 120) { @() } elseif ($Width -ge 120) { $Shows + $Wider } else { $Shows }
            foreach ($s in $expected) { $text | Should -Match ([regex]::Escape($s)) -Because "the view at $Width columns shows $s" }
            foreach ($s in $Hides) { $text | Should -Not -Match ([regex]::Escape($s)) }
        }
    }

    Context 'headers are properties' {
        It '<Type> view <View>: every header is a property of the object' -ForEach $headerCases {
            $objects = @(foreach ($name in $SampleNames) { $Samples[$name] })
            $objects | Should -Not -BeNullOrEmpty
            foreach ($item in $Items) {
                $having = @($objects | Where-Object { $_.PSObject.Properties[$item.Label] })
                if ($item.Always) {
                    $having.Count | Should -Be $objects.Count -Because "the header $($item.Label) of view $View names a property of every $Type"
                }
                else {
                    $having.Count | Should -BeGreaterThan 0 -Because "the label $($item.Label) of view $View names a property"
                }
            }
        }

        It 'sorts and selects by the names the tables show' {
            @($Samples.Tasks | Sort-Object rss -Descending | ForEach-Object Pid) | Should -Be @(4194301, 1, 612, 4194302)
            @($Samples.Tasks | Where-Object oom_score_adj -LT 0 | ForEach-Object Name) | Should -Be @('postgres-backup', 'sshd')
            @($Samples.Tasks | Sort-Object total_vm | ForEach-Object Pid)[0] | Should -Be 4194302
            @($Samples.Candidates | Sort-Object oom_score -Descending | ForEach-Object Pid)[0] | Should -Be 4194302
            ($Samples.Candidates | Format-Table oom_score, oom_score_adj, Name | Out-String) | Should -Match '1333\s+1000 memory-leaker-x'
        }
    }

    Context 'Invoke-OutOfMemory' {
        It 'shows a few lines, not the kernel log, which stays one property away' {
            $lines = @(($Samples.Outcome | Out-String -Width 80) -split '\r?\n' | Where-Object { $_.Trim() })
            $lines.Count | Should -BeLessOrEqual 8
            ($lines -join "`n") | Should -Not -Match 'invoked oom-killer'
            ($Samples.Outcome[0].Log.Text -join "`n") | Should -Match 'invoked oom-killer'
        }

        It 'lets Format-List and Format-Table pick the properties, as the view is not out of band' {
            ($Samples.Outcome | Format-List Reason | Out-String).Trim() | Should -BeLike 'Reason : Killed 4194302 (memory-leaker-x)*'
            ($Samples.Outcome | Format-Table Constraint, VictimPoints | Out-String) | Should -Match 'None\s+18874461'
        }
    }
}

Describe "The README's quickstart" {
    It 'run as a script, prints what the README shows' {
        $readme = Get-Content -Raw -LiteralPath (Join-Path $RepoRoot 'README.md')
        $section = ($readme -split '(?m)^## ') | Where-Object { $_ -like 'Quickstart*' }
        $section | Should -Not -BeNullOrEmpty -Because 'README.md has a "## Quickstart" section'
        $blocks = [regex]::Matches($section, '(?ms)^```(\w+)\r?\n(.*?)^```')
        $code = @($blocks | Where-Object { $_.Groups[1].Value -eq 'powershell' })[0].Groups[2].Value
        $shown = @($blocks | Where-Object { $_.Groups[1].Value -eq 'text' })[0].Groups[2].Value
        $code | Should -Not -BeNullOrEmpty
        $shown | Should -Not -BeNullOrEmpty -Because 'the README shows what the quickstart prints'

        $script = Join-Path $TestDrive 'quickstart.ps1'
        Set-Content -LiteralPath $script -Value ("`$PSStyle.OutputRendering = 'PlainText'`nImport-Module '$ModuleManifestPath'`n" + $code)
        $output = & dotnet pwsh -NoProfile -NonInteractive -File $script 2>&1 | ForEach-Object { "$_" }

        # A script's stream formatted in the shape of its first object prints other types property by property.
        ($output -join "`n") | Should -Not -Match '(?m)^(At|Jiffies|MemoryInUsePages|Candidates|Log|TimestampNs|Level)\s+:'
        $normalize = { param($text) @(($text -split '\r?\n') | ForEach-Object { ($_ -replace '\s+', ' ').Trim() } | Where-Object { $_ }) }
        (& $normalize ($output -join "`n")) -join "`n" | Should -BeExactly ((& $normalize $shown) -join "`n")
    }
}
