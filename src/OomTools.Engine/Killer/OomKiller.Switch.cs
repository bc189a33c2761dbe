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
    /// <c>oom_killer_disable(timeout)</c>: from now on allocations fail instead of killing; then wait, in simulated
    /// time, for the victims in flight (<c>oom_victims</c>) to exit — up to <paramref name="timeoutJiffies"/>.
    /// When they have not, the killer is enabled again and the call returns false.
    /// </summary>
    public bool OomKillerDisable(long timeoutJiffies = 0)
    {
        m.OomKillerDisabled = true;
        long deadline = m.Jiffies + System.Math.Max(0, timeoutJiffies);
        while (m.OomVictims > 0 && pending.Count > 0 && pending[0].At <= deadline) StepToNextEvent();
        if (m.OomVictims > 0)
        {
            Step(deadline);
            OomKillerEnable();
            return false;
        }
        m.Log.Info("OOM killer disabled.");
        return true;
    }
}
