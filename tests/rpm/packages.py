"""The packages the RPM integration test builds: their files, policy and %hardenunit call."""

from dataclasses import dataclass, field, replace

SCRIPT = "#!/bin/sh\nexec sleep infinity\n"


@dataclass
class Package:
    name: str
    # (directory macro, path below it, content, mode), installed by %install
    files: list
    call: str = "%hardenunit"
    # sources that are not installed: policy files, by file name
    extra_sources: dict = field(default_factory=dict)
    # spec lines before the preamble: switches
    spec_head: str = ""

    def with_file(self, dir_macro, rel, content, mode=0o644):
        return replace(self, files=self.files + [(dir_macro, rel, content, mode)])


def service(description, exec_start, extra=""):
    return (f"[Unit]\nDescription={description}\n\n[Service]\nExecStart={exec_start}\n{extra}"
            "\n[Install]\nWantedBy=multi-user.target\n")


def unit(name, description="hardenunit test service", extra=""):
    return ("%{_unitdir}", name, service(description, f"/usr/bin/{name.split('@')[0].split('.')[0]}", extra),
            0o644)


def program(name):
    return ("%{_bindir}", name, SCRIPT, 0o755)


DAEMON = Package("hu-daemon", [
    ("%{_unitdir}", "hu-daemon.service",
     service("hardenunit test daemon", "/usr/bin/hu-daemon",
             "Type=simple\nUser=hu-daemon\nStateDirectory=hu-daemon\n").replace(
         "[Unit]\nDescription=hardenunit test daemon\n",
         "[Unit]\nDescription=hardenunit test daemon\nRequires=hu-daemon.socket\n"), 0o644),
    ("%{_unitdir}", "hu-daemon.socket",
     "[Unit]\nDescription=hardenunit test daemon socket\n\n[Socket]\nListenStream=/run/hu-daemon.sock\n"
     "\n[Install]\nWantedBy=sockets.target\n", 0o644),
    # The package's own decision, which hardenunit must keep.
    ("%{_unitdir}", "hu-daemon.service.d/50-shared-tmp.conf",
     "# hu-daemon exchanges files with its clients through /tmp.\n[Service]\nPrivateTmp=no\n", 0o644),
    program("hu-daemon"),
])

PACKAGES = {p.name: p for p in [
    DAEMON,
    Package("hu-worker", [unit("hu-worker@.service", "hardenunit test worker %i"), program("hu-worker")]),
    Package("hu-agent", [("%{_userunitdir}", "hu-agent.service",
                          service("hardenunit test user agent", "/usr/bin/hu-agent"), 0o644),
                         program("hu-agent")]),
    Package("hu-optout", [unit("hu-optout.service"), unit("hu-optout-helper.service"), program("hu-optout")],
            call="%hardenunit -f %{SOURCE100}",
            extra_sources={"hardenunit.toml":
                           "# hu-optout keeps its data under /home.\n"
                           "[unit.\"hu-optout.service\"]\nskip = [\"ProtectHome\"]\n\n"
                           "[directives]\nPrivateDevices = false\n"}),
    Package("hu-options",
            [unit("hu-options.service"), unit("hu-options-skip.service"), unit("hu-options-also.service"),
             unit("hu-options-tpl@.service"), program("hu-options")],
            call="%hardenunit -f %{_sourcedir}/site.toml -p strict -s 244 "
                 "-x hu-options-skip.service,hu-options-tpl@.service -x hu-options-also.service",
            # Must not be read: only the file -f names is.
            extra_sources={"hardenunit.toml": "this is not TOML [\n",
                           "site.toml": "[directives]\nProtectHostname = false\n"}),
    Package("hu-broken", [unit("hu-broken.service"), program("hu-broken")], call="%hardenunit -f %{SOURCE100}",
            extra_sources={"hardenunit.toml": "profile = \"baseline\"\n\n[unit.\"hu-broken.service\"]\n"
                                              "skip = [ProtectHome]\n"}),
    # Another package's policy in a shared SOURCES/: must not apply (it would fail the build).
    Package("hu-stray", [unit("hu-stray.service"), program("hu-stray")],
            extra_sources={"hardenunit.toml": "this is not TOML [\n"}),
    Package("hu-check", [unit("hu-check.service"), program("hu-check")], call="%hardenunit -c"),
    Package("hu-check-stale", [unit("hu-check-stale.service"), program("hu-check-stale")],
            call="%hardenunit -c"),
    Package("hu-max", [unit("hu-max.service"), program("hu-max")], call="%hardenunit -m 0.5"),
    Package("hu-badopt", [unit("hu-badopt.service")], call="%hardenunit -z"),
    Package("hu-off", [unit("hu-off.service")], spec_head="%global _without_hardenunit 1"),
    Package("hu-bcond", [unit("hu-bcond.service")], spec_head="%bcond hardenunit 0",
            call="%{?with_hardenunit:%hardenunit}"),
    Package("hu-brp", [unit("hu-brp.service"), program("hu-brp")], call=""),
    Package("hu-nounits", [program("hu-nounits")], call=""),
]}
