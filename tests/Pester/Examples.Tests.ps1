BeforeDiscovery {
    # One test per examples/*.ps1; no examples yet means no tests here.
    $examplesDir = Join-Path $PSScriptRoot '../../examples'
    $exampleCases = @(Get-ChildItem -Path $examplesDir -Filter '*.ps1' -File -ErrorAction Ignore |
            Sort-Object Name |
            ForEach-Object { @{ Name = $_.Name; Path = $_.FullName } })
}

BeforeAll {
    . $PSScriptRoot/common.ps1

    function Invoke-Example {
        <# Runs one example in a fresh `dotnet pwsh -NoProfile -File` from the repo root; returns exit code and output. #>
        param([string]$Path, [int]$TimeoutSeconds = 300)
        $psi = [System.Diagnostics.ProcessStartInfo]::new('dotnet')
        foreach ($a in 'pwsh', '-NoProfile', '-NonInteractive', '-File', $Path) { $psi.ArgumentList.Add($a) }
        $psi.WorkingDirectory = $RepoRoot
        $psi.RedirectStandardOutput = $true
        $psi.RedirectStandardError = $true
        $psi.UseShellExecute = $false
        $p = [System.Diagnostics.Process]::Start($psi)
        $stdout = $p.StandardOutput.ReadToEndAsync()
        $stderr = $p.StandardError.ReadToEndAsync()
        if (-not $p.WaitForExit($TimeoutSeconds * 1000)) {
            try { $p.Kill($true) } catch { }
            return [pscustomobject]@{ ExitCode = -1; Output = "timed out after $TimeoutSeconds s`n$($stdout.Result)`n$($stderr.Result)" }
        }
        $p.WaitForExit()
        [pscustomobject]@{ ExitCode = $p.ExitCode; Output = "$($stdout.Result)`n$($stderr.Result)" }
    }
}

Describe 'examples' {
    It '<Name> runs to the end with exit code 0' -ForEach $exampleCases {
        $run = Invoke-Example -Path $Path
        $run.ExitCode | Should -Be 0 -Because "examples/$Name printed:`n$($run.Output)"
    }
}
