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
        $run = Invoke-ChildProcess -FilePath dotnet -ArgumentList 'pwsh', '-NoProfile', '-NonInteractive', '-File', $Path -TimeoutSeconds $TimeoutSeconds
        $output = "$($run.StdOut)`n$($run.StdErr)"
        if ($run.TimedOut) { $output = "timed out after $TimeoutSeconds s`n$output" }
        [pscustomobject]@{ ExitCode = $run.ExitCode; Output = $output }
    }
}

Describe 'examples' {
    It '<Name> runs to the end with exit code 0' -ForEach $exampleCases {
        $run = Invoke-Example -Path $Path
        $run.ExitCode | Should -Be 0 -Because "examples/$Name printed:`n$($run.Output)"
    }
}
