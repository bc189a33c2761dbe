# The argument completers (src/OomTools/Completers): they complete from the machine given as -Machine, and
# offer nothing without one. Module.Meta.Tests.ps1 checks that every -Pid, -Name and -Cgroup has one.
BeforeAll {
    . $PSScriptRoot/common.ps1

    function Complete([type]$Completer, [string]$Parameter, [string]$Word, $Machine) {
        $bound = @{}
        if ($Machine) { $bound['Machine'] = $Machine }
        @($Completer::new().CompleteArgument('Get-OomTask', $Parameter, $Word, $null, $bound))
    }
}

Describe 'The argument completers' {
    BeforeAll {
        # Two processes of one name, a name with a space and a login shell's "-bash".
        $m = New-OomMachine
        foreach ($path in '/db', '/db/replica', '/desktop') { $null = New-OomCgroup -Machine $m -Path $path }
        $tasks = @(
            @{ Pid = 1; Name = 'systemd' }
            @{ Pid = 300; Name = 'postgres'; Cgroup = '/db' }
            @{ Pid = 310; Name = 'postgres'; Cgroup = '/db/replica' }
            @{ Pid = 200; Name = 'Web Content'; Cgroup = '/desktop' }
            @{ Pid = 400; Name = '-bash' }
        )
        foreach ($t in $tasks) { Add-OomTask -Machine $m @t -AnonRss 64MB }
    }

    Context 'TaskNameCompleter (-Name)' {
        It 'offers each process name once, in task-list order' {
            @(Complete ([OomTools.Completers.TaskNameCompleter]) Name '' $m | ForEach-Object ListItemText) |
                Should -Be @('systemd', 'postgres', 'Web Content', '-bash')
        }

        It 'matches the typed prefix, ignoring case and the quote typed so far' {
            @(Complete ([OomTools.Completers.TaskNameCompleter]) Name 'PO' $m | ForEach-Object CompletionText) | Should -Be @('postgres')
            @(Complete ([OomTools.Completers.TaskNameCompleter]) Name "'we" $m | ForEach-Object CompletionText) | Should -Be @("'Web Content'")
        }

        It 'quotes a name the parser would split or read as a parameter' {
            @(Complete ([OomTools.Completers.TaskNameCompleter]) Name '-' $m | ForEach-Object CompletionText) | Should -Be @("'-bash'")
        }

        It 'offers nothing without -Machine' {
            Complete ([OomTools.Completers.TaskNameCompleter]) Name '' $null | Should -BeNullOrEmpty
        }
    }

    Context 'PidCompleter (-Pid) and CgroupPathCompleter (-Cgroup)' {
        It 'offers the pids that start with the typed digits' {
            @(Complete ([OomTools.Completers.PidCompleter]) Pid '3' $m | ForEach-Object CompletionText) | Should -Be @('300', '310')
        }

        It 'offers the cgroup paths that start with the typed text' {
            @(Complete ([OomTools.Completers.CgroupPathCompleter]) Cgroup '/d' $m | ForEach-Object CompletionText) | Should -Be @('/db', '/db/replica', '/desktop')
        }

        It 'offers nothing without -Machine' {
            Complete ([OomTools.Completers.PidCompleter]) Pid '' $null | Should -BeNullOrEmpty
            Complete ([OomTools.Completers.CgroupPathCompleter]) Cgroup '' $null | Should -BeNullOrEmpty
        }
    }

    Context 'in a command line (TabExpansion2)' {
        It 'completes <Line>' -ForEach @(
            @{ Line = 'Get-OomTask -Machine $m -Name pos'; Expected = 'postgres' }
            @{ Line = 'Test-OomProtection -Machine $m -Name sys'; Expected = 'systemd' }
            @{ Line = 'Get-OomBadness -Machine $m -Pid 20'; Expected = '200' }
            @{ Line = 'Get-OomTask -Machine $m -Cgroup /des'; Expected = '/desktop' }
        ) {
            $result = TabExpansion2 -inputScript $Line -cursorColumn $Line.Length
            @($result.CompletionMatches | ForEach-Object CompletionText) | Should -Be @($Expected)
        }
    }
}
