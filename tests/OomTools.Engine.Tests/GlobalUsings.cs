// The engine's folders whose members the tests reach through a machine (machine.Killer, machine.Timeline, ...).
global using OomTools.Engine.Exit;
global using OomTools.Engine.Killer;
global using OomTools.Engine.Memcontrol;
global using OomTools.Engine.Model;
global using OomTools.Engine.PageAlloc;
global using OomTools.Engine.Proc;
global using OomTools.Engine.Serialization;
global using OomTools.Engine.Timeline;
global using OomTools.Engine.Writers;
