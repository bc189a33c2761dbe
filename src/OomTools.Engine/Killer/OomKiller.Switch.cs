namespace OomTools.Engine.Killer;

public sealed partial class OomKiller
{
    /// <summary><c>oom_killer_enable()</c>.</summary>
    public void OomKillerEnable()
    {
        m.OomKillerDisabled = false;
        m.Log.Info("OOM killer enabled.");
    }

    /// <summary>
    /// <c>oom_killer_disable()</c>: from now on allocations fail instead of killing; then wait for the victims in
    /// flight. The machine has no time passing during this call, so the wait succeeds only when no victim is in
    /// flight; otherwise it times out, the killer is enabled again and the call returns false.
    /// </summary>
    public bool OomKillerDisable()
    {
        m.OomKillerDisabled = true;
        if (m.OomVictims > 0)
        {
            OomKillerEnable();
            return false;
        }
        m.Log.Info("OOM killer disabled.");
        return true;
    }
}
