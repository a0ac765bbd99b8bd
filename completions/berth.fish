# Print an optspec for argparse to handle cmd's options that are independent of any subcommand.
function __fish_berth_global_optspecs
    string join \n root= runroot= log-level= h/help V/version
end

function __fish_berth_needs_command
    # Figure out if the current invocation already has a command.
    set -l cmd (commandline -opc)
    set -e cmd[1]
    argparse -s (__fish_berth_global_optspecs) -- $cmd 2>/dev/null
    or return
    if set -q argv[1]
        # Also print the command, so this can be used to figure out what it is.
        echo $argv[1]
        return 1
    end
    return 0
end

function __fish_berth_using_subcommand
    set -l cmd (__fish_berth_needs_command)
    test -z "$cmd"
    and return 1
    contains -- $cmd[1] $argv
end

complete -c berth -n "__fish_berth_needs_command" -l root -d 'Directory for persistent data (images, layers, state database)' -r -F
complete -c berth -n "__fish_berth_needs_command" -l runroot -d 'Directory for volatile state (mounts, sockets)' -r -F
complete -c berth -n "__fish_berth_needs_command" -l log-level -d 'Log level for diagnostics on stderr' -r -f -a "trace\t''
debug\t''
info\t''
warn\t''
error\t''"
complete -c berth -n "__fish_berth_needs_command" -s h -l help -d 'Print help'
complete -c berth -n "__fish_berth_needs_command" -s V -l version -d 'Print version'
complete -c berth -n "__fish_berth_needs_command" -f -a "run" -d 'Create and run a new container from an image'
complete -c berth -n "__fish_berth_needs_command" -f -a "create" -d 'Create a new container'
complete -c berth -n "__fish_berth_needs_command" -f -a "start" -d 'Start one or more stopped containers'
complete -c berth -n "__fish_berth_needs_command" -f -a "stop" -d 'Stop one or more running containers'
complete -c berth -n "__fish_berth_needs_command" -f -a "restart" -d 'Restart one or more containers'
complete -c berth -n "__fish_berth_needs_command" -f -a "kill" -d 'Kill one or more running containers'
complete -c berth -n "__fish_berth_needs_command" -f -a "rm" -d 'Remove one or more containers'
complete -c berth -n "__fish_berth_needs_command" -f -a "ps" -d 'List containers'
complete -c berth -n "__fish_berth_needs_command" -f -a "logs" -d 'Fetch the logs of a container'
complete -c berth -n "__fish_berth_needs_command" -f -a "wait" -d 'Block until one or more containers stop, then print their exit codes'
complete -c berth -n "__fish_berth_needs_command" -f -a "rename" -d 'Rename a container'
complete -c berth -n "__fish_berth_needs_command" -f -a "update" -d 'Update configuration of one or more containers'
complete -c berth -n "__fish_berth_needs_command" -f -a "exec" -d 'Execute a command in a running container'
complete -c berth -n "__fish_berth_needs_command" -f -a "attach" -d 'Attach local standard input, output, and error streams to a running container'
complete -c berth -n "__fish_berth_needs_command" -f -a "top" -d 'Display the running processes of a container'
complete -c berth -n "__fish_berth_needs_command" -f -a "pause" -d 'Pause all processes within one or more containers'
complete -c berth -n "__fish_berth_needs_command" -f -a "cp" -d 'Copy files/folders between a container and the local filesystem'
complete -c berth -n "__fish_berth_needs_command" -f -a "export" -d 'Export a container\'s filesystem as a tar archive'
complete -c berth -n "__fish_berth_needs_command" -f -a "diff" -d 'Inspect changes to files or directories on a container\'s filesystem'
complete -c berth -n "__fish_berth_needs_command" -f -a "unpause" -d 'Unpause all processes within one or more containers'
complete -c berth -n "__fish_berth_needs_command" -f -a "container" -d 'Manage containers'
complete -c berth -n "__fish_berth_needs_command" -f -a "pull" -d 'Download an image from a registry'
complete -c berth -n "__fish_berth_needs_command" -f -a "push" -d 'Upload an image to a registry'
complete -c berth -n "__fish_berth_needs_command" -f -a "images" -d 'List images'
complete -c berth -n "__fish_berth_needs_command" -f -a "rmi" -d 'Remove one or more images'
complete -c berth -n "__fish_berth_needs_command" -f -a "tag" -d 'Create a tag TARGET_IMAGE that refers to SOURCE_IMAGE'
complete -c berth -n "__fish_berth_needs_command" -f -a "untag" -d 'Remove names from an image (all of them without NAME); the image stays'
complete -c berth -n "__fish_berth_needs_command" -f -a "inspect" -d 'Show low-level information on images'
complete -c berth -n "__fish_berth_needs_command" -f -a "history" -d 'Show the history of an image'
complete -c berth -n "__fish_berth_needs_command" -f -a "build" -d 'Build an image from a Dockerfile'
complete -c berth -n "__fish_berth_needs_command" -f -a "builder" -d 'Manage builds'
complete -c berth -n "__fish_berth_needs_command" -f -a "commit" -d 'Create a new image from a container\'s changes'
complete -c berth -n "__fish_berth_needs_command" -f -a "save" -d 'Save one or more images to a tar archive (streamed to STDOUT by default)'
complete -c berth -n "__fish_berth_needs_command" -f -a "load" -d 'Load an image from a tar archive or STDIN'
complete -c berth -n "__fish_berth_needs_command" -f -a "import" -d 'Import the contents from a tarball to create a filesystem image'
complete -c berth -n "__fish_berth_needs_command" -f -a "image" -d 'Manage images'
complete -c berth -n "__fish_berth_needs_command" -f -a "network" -d 'Manage networks'
complete -c berth -n "__fish_berth_needs_command" -f -a "volume" -d 'Manage volumes'
complete -c berth -n "__fish_berth_needs_command" -f -a "system" -d 'Manage berth (disk usage, prune, reset)'
complete -c berth -n "__fish_berth_needs_command" -f -a "stats" -d 'Display a live stream of container(s) resource usage statistics'
complete -c berth -n "__fish_berth_needs_command" -f -a "events" -d 'Get real time events from the server'
complete -c berth -n "__fish_berth_needs_command" -f -a "version" -d 'Show the berth version information'
complete -c berth -n "__fish_berth_needs_command" -f -a "info" -d 'Display system-wide information'
complete -c berth -n "__fish_berth_needs_command" -f -a "port" -d 'List port mappings or a specific mapping for the container'
complete -c berth -n "__fish_berth_needs_command" -f -a "login" -d 'Log in to a registry'
complete -c berth -n "__fish_berth_needs_command" -f -a "logout" -d 'Log out from a registry'
complete -c berth -n "__fish_berth_needs_command" -f -a "completion" -d 'Print a shell completion script'
complete -c berth -n "__fish_berth_needs_command" -f -a "container-monitor" -d 'The per-container monitor (started by berth itself)'
complete -c berth -n "__fish_berth_needs_command" -f -a "container-health-probe" -d 'Runs one health check probe of a container (started by its monitor)'
complete -c berth -n "__fish_berth_needs_command" -f -a "exec-child" -d 'Runs an exec started through the Engine API (started by the service)'
complete -c berth -n "__fish_berth_needs_command" -f -a "generate-man" -d 'Write man pages into a directory (used by scripts/gen-docs)'
complete -c berth -n "__fish_berth_needs_command" -f -a "help" -d 'Print this message or the help of the given subcommand(s)'
complete -c berth -n "__fish_berth_using_subcommand run" -l name -d 'Assign a name to the container' -r
complete -c berth -n "__fish_berth_using_subcommand run" -s e -l env -d 'Set environment variables (KEY=VALUE, or KEY to take the host\'s value)' -r
complete -c berth -n "__fish_berth_using_subcommand run" -l env-file -d 'Read environment variables from a file' -r -F
complete -c berth -n "__fish_berth_using_subcommand run" -s w -l workdir -d 'Working directory inside the container' -r
complete -c berth -n "__fish_berth_using_subcommand run" -s u -l user -d 'Username or UID (format: <name|uid>[:<group|gid>])' -r
complete -c berth -n "__fish_berth_using_subcommand run" -l entrypoint -d 'Overwrite the default ENTRYPOINT of the image' -r
complete -c berth -n "__fish_berth_using_subcommand run" -s h -l hostname -d 'Container host name' -r
complete -c berth -n "__fish_berth_using_subcommand run" -s l -l label -d 'Set metadata on the container (KEY=VALUE)' -r
complete -c berth -n "__fish_berth_using_subcommand run" -l restart -d 'Restart policy: no, on-failure[:max-retries], always, unless-stopped' -r
complete -c berth -n "__fish_berth_using_subcommand run" -l network -d 'Connect the container to a network: bridge (default), a network\'s name or ID, none, host, or container:NAME; again for more user-defined networks; advanced form name=NET[,alias=A][,ip=IP][,ip6=IP][,mac-address=MAC]' -r
complete -c berth -n "__fish_berth_using_subcommand run" -l network-alias -d 'Add a network-scoped alias for the container' -r
complete -c berth -n "__fish_berth_using_subcommand run" -l ip -d 'IPv4 address (e.g. 172.30.100.104)' -r
complete -c berth -n "__fish_berth_using_subcommand run" -l ip6 -d 'IPv6 address on a dual-stack network (e.g. fd12:3456:789a::10)' -r
complete -c berth -n "__fish_berth_using_subcommand run" -l mac-address -d 'Container MAC address (e.g. 92:d0:c6:0a:29:33)' -r
complete -c berth -n "__fish_berth_using_subcommand run" -s p -l publish -d 'Publish a container\'s port(s) to the host ([IP:][HOSTPORT:]PORT[/PROTO])' -r
complete -c berth -n "__fish_berth_using_subcommand run" -l link -d 'Add a link to another container (NAME[:ALIAS]; legacy: /etc/hosts entries)' -r
complete -c berth -n "__fish_berth_using_subcommand run" -l expose -d 'Expose a port or a range of ports (PORT[-END][/PROTO])' -r
complete -c berth -n "__fish_berth_using_subcommand run" -l add-host -d 'Add a custom host-to-IP mapping (host:ip, ip may be host-gateway)' -r
complete -c berth -n "__fish_berth_using_subcommand run" -l dns -d 'Set custom DNS servers' -r
complete -c berth -n "__fish_berth_using_subcommand run" -l dns-search -d 'Set custom DNS search domains' -r
complete -c berth -n "__fish_berth_using_subcommand run" -l dns-option -d 'Set DNS options' -r
complete -c berth -n "__fish_berth_using_subcommand run" -l pull -d 'Pull image before running: missing, always, never' -r -f -a "missing\t''
always\t''
never\t''"
complete -c berth -n "__fish_berth_using_subcommand run" -l cap-add -d 'Add Linux capabilities' -r
complete -c berth -n "__fish_berth_using_subcommand run" -l cap-drop -d 'Drop Linux capabilities' -r
complete -c berth -n "__fish_berth_using_subcommand run" -l security-opt -d 'Security options (no-new-privileges, seccomp=unconfined, seccomp=FILE)' -r
complete -c berth -n "__fish_berth_using_subcommand run" -l tmpfs -d 'Mount a tmpfs directory (PATH[:OPTIONS])' -r
complete -c berth -n "__fish_berth_using_subcommand run" -s v -l volume -d 'Bind mount a host path or mount a volume ([SOURCE:]DEST[:ro|rw][,z][,rshared|rslave|rprivate])' -r
complete -c berth -n "__fish_berth_using_subcommand run" -l mount -d 'Attach a filesystem mount (type=bind|volume|tmpfs,source=…,target=…,readonly,…)' -r
complete -c berth -n "__fish_berth_using_subcommand run" -l volumes-from -d 'Mount the volumes of a container (CONTAINER[:ro|rw])' -r
complete -c berth -n "__fish_berth_using_subcommand run" -l sysctl -d 'Namespaced kernel parameters (KEY=VALUE)' -r
complete -c berth -n "__fish_berth_using_subcommand run" -l ulimit -d 'Ulimit options (NAME=SOFT[:HARD])' -r
complete -c berth -n "__fish_berth_using_subcommand run" -s m -l memory -d 'Memory limit (e.g. 512m)' -r
complete -c berth -n "__fish_berth_using_subcommand run" -l memory-swap -d 'Memory plus swap limit; -1 for unlimited swap' -r
complete -c berth -n "__fish_berth_using_subcommand run" -l cpus -d 'Number of CPUs' -r
complete -c berth -n "__fish_berth_using_subcommand run" -s c -l cpu-shares -d 'CPU shares (relative weight)' -r
complete -c berth -n "__fish_berth_using_subcommand run" -l cpu-quota -d 'CPU CFS quota (microseconds)' -r
complete -c berth -n "__fish_berth_using_subcommand run" -l cpu-period -d 'CPU CFS period (microseconds)' -r
complete -c berth -n "__fish_berth_using_subcommand run" -l cpuset-cpus -d 'CPUs in which to allow execution (0-3, 0,1)' -r
complete -c berth -n "__fish_berth_using_subcommand run" -l cpuset-mems -d 'MEMs in which to allow execution (0-3, 0,1)' -r
complete -c berth -n "__fish_berth_using_subcommand run" -l memory-reservation -d 'Memory soft limit' -r
complete -c berth -n "__fish_berth_using_subcommand run" -l pids-limit -d 'Tune container pids limit (-1 for unlimited)' -r
complete -c berth -n "__fish_berth_using_subcommand run" -l blkio-weight -d 'Block IO weight (10-1000)' -r
complete -c berth -n "__fish_berth_using_subcommand run" -l stop-signal -d 'Signal to stop the container' -r
complete -c berth -n "__fish_berth_using_subcommand run" -l stop-timeout -d 'Timeout (in seconds) to stop a container' -r
complete -c berth -n "__fish_berth_using_subcommand run" -l log-driver -d 'Logging driver for the container (json-file, local, none)' -r
complete -c berth -n "__fish_berth_using_subcommand run" -l log-opt -d 'Log driver options (max-size=10m, max-file=3, compress=true, labels, env, tag)' -r
complete -c berth -n "__fish_berth_using_subcommand run" -l platform -d 'Set platform if the image is multi-platform' -r
complete -c berth -n "__fish_berth_using_subcommand run" -l device -d 'Add a host device to the container (HOST[:CONTAINER][:PERMS])' -r
complete -c berth -n "__fish_berth_using_subcommand run" -l device-cgroup-rule -d 'Add a rule to the cgroup allowed devices list (\'c 1:3 rwm\')' -r
complete -c berth -n "__fish_berth_using_subcommand run" -l gpus -d 'GPU devices to add to the container (needs the NVIDIA container toolkit: refused)' -r
complete -c berth -n "__fish_berth_using_subcommand run" -l shm-size -d 'Size of /dev/shm (e.g. 128m)' -r
complete -c berth -n "__fish_berth_using_subcommand run" -l ipc -d 'IPC mode: private, shareable, none, host, container:NAME' -r
complete -c berth -n "__fish_berth_using_subcommand run" -l pid -d 'PID namespace: host, container:NAME' -r
complete -c berth -n "__fish_berth_using_subcommand run" -l uts -d 'UTS namespace: host' -r
complete -c berth -n "__fish_berth_using_subcommand run" -l cgroupns -d 'Cgroup namespace: host, private' -r
complete -c berth -n "__fish_berth_using_subcommand run" -l group-add -d 'Add additional groups to join' -r
complete -c berth -n "__fish_berth_using_subcommand run" -l cgroup-parent -d 'Optional parent cgroup for the container' -r
complete -c berth -n "__fish_berth_using_subcommand run" -l domainname -d 'Container NIS domain name' -r
complete -c berth -n "__fish_berth_using_subcommand run" -l oom-score-adj -d 'Tune host\'s OOM preferences (-1000 to 1000)' -r
complete -c berth -n "__fish_berth_using_subcommand run" -l health-cmd -d 'Command to run to check health' -r
complete -c berth -n "__fish_berth_using_subcommand run" -l health-interval -d 'Time between running the check (ms|s|m|h) (default 0s)' -r
complete -c berth -n "__fish_berth_using_subcommand run" -l health-retries -d 'Consecutive failures needed to report unhealthy' -r
complete -c berth -n "__fish_berth_using_subcommand run" -l health-start-interval -d 'Time between running the check during the start period (ms|s|m|h) (default 0s)' -r
complete -c berth -n "__fish_berth_using_subcommand run" -l health-start-period -d 'Start period for the container to initialize before starting health-retries countdown (ms|s|m|h) (default 0s)' -r
complete -c berth -n "__fish_berth_using_subcommand run" -l health-timeout -d 'Maximum time to allow one check to run (ms|s|m|h) (default 0s)' -r
complete -c berth -n "__fish_berth_using_subcommand run" -l cidfile -d 'Write the container ID to the file' -r -F
complete -c berth -n "__fish_berth_using_subcommand run" -l label-file -d 'Read in a line delimited file of labels' -r -F
complete -c berth -n "__fish_berth_using_subcommand run" -s a -l attach -d 'Attach to STDIN, STDOUT or STDERR' -r -f -a "stdin\t''
stdout\t''
stderr\t''"
complete -c berth -n "__fish_berth_using_subcommand run" -l detach-keys -d 'Override the key sequence for detaching a container' -r
complete -c berth -n "__fish_berth_using_subcommand run" -l sig-proxy -d 'Proxy received signals to the process' -r -f -a "true\t''
false\t''"
complete -c berth -n "__fish_berth_using_subcommand run" -l root -d 'Directory for persistent data (images, layers, state database)' -r -F
complete -c berth -n "__fish_berth_using_subcommand run" -l runroot -d 'Directory for volatile state (mounts, sockets)' -r -F
complete -c berth -n "__fish_berth_using_subcommand run" -l log-level -d 'Log level for diagnostics on stderr' -r -f -a "trace\t''
debug\t''
info\t''
warn\t''
error\t''"
complete -c berth -n "__fish_berth_using_subcommand run" -l help -d 'Print help'
complete -c berth -n "__fish_berth_using_subcommand run" -s i -l interactive -d 'Keep STDIN open'
complete -c berth -n "__fish_berth_using_subcommand run" -s t -l tty -d 'Allocate a pseudo-TTY'
complete -c berth -n "__fish_berth_using_subcommand run" -l rm -d 'Automatically remove the container when it exits'
complete -c berth -n "__fish_berth_using_subcommand run" -s P -l publish-all -d 'Publish all exposed ports to random ports'
complete -c berth -n "__fish_berth_using_subcommand run" -l privileged -d 'Give extended privileges to this container'
complete -c berth -n "__fish_berth_using_subcommand run" -l read-only -d 'Mount the container\'s root filesystem as read only'
complete -c berth -n "__fish_berth_using_subcommand run" -l init -d 'Run an init inside the container that forwards signals and reaps processes'
complete -c berth -n "__fish_berth_using_subcommand run" -l oom-kill-disable -d 'Disable OOM Killer'
complete -c berth -n "__fish_berth_using_subcommand run" -l no-healthcheck -d 'Disable any container-specified HEALTHCHECK'
complete -c berth -n "__fish_berth_using_subcommand run" -l replace -d 'If a container with the same name exists, replace it (podman)'
complete -c berth -n "__fish_berth_using_subcommand run" -s d -l detach -d 'Run container in background and print container ID'
complete -c berth -n "__fish_berth_using_subcommand run" -s V -l version -d 'Print version'
complete -c berth -n "__fish_berth_using_subcommand create" -l name -d 'Assign a name to the container' -r
complete -c berth -n "__fish_berth_using_subcommand create" -s e -l env -d 'Set environment variables (KEY=VALUE, or KEY to take the host\'s value)' -r
complete -c berth -n "__fish_berth_using_subcommand create" -l env-file -d 'Read environment variables from a file' -r -F
complete -c berth -n "__fish_berth_using_subcommand create" -s w -l workdir -d 'Working directory inside the container' -r
complete -c berth -n "__fish_berth_using_subcommand create" -s u -l user -d 'Username or UID (format: <name|uid>[:<group|gid>])' -r
complete -c berth -n "__fish_berth_using_subcommand create" -l entrypoint -d 'Overwrite the default ENTRYPOINT of the image' -r
complete -c berth -n "__fish_berth_using_subcommand create" -s h -l hostname -d 'Container host name' -r
complete -c berth -n "__fish_berth_using_subcommand create" -s l -l label -d 'Set metadata on the container (KEY=VALUE)' -r
complete -c berth -n "__fish_berth_using_subcommand create" -l restart -d 'Restart policy: no, on-failure[:max-retries], always, unless-stopped' -r
complete -c berth -n "__fish_berth_using_subcommand create" -l network -d 'Connect the container to a network: bridge (default), a network\'s name or ID, none, host, or container:NAME; again for more user-defined networks; advanced form name=NET[,alias=A][,ip=IP][,ip6=IP][,mac-address=MAC]' -r
complete -c berth -n "__fish_berth_using_subcommand create" -l network-alias -d 'Add a network-scoped alias for the container' -r
complete -c berth -n "__fish_berth_using_subcommand create" -l ip -d 'IPv4 address (e.g. 172.30.100.104)' -r
complete -c berth -n "__fish_berth_using_subcommand create" -l ip6 -d 'IPv6 address on a dual-stack network (e.g. fd12:3456:789a::10)' -r
complete -c berth -n "__fish_berth_using_subcommand create" -l mac-address -d 'Container MAC address (e.g. 92:d0:c6:0a:29:33)' -r
complete -c berth -n "__fish_berth_using_subcommand create" -s p -l publish -d 'Publish a container\'s port(s) to the host ([IP:][HOSTPORT:]PORT[/PROTO])' -r
complete -c berth -n "__fish_berth_using_subcommand create" -l link -d 'Add a link to another container (NAME[:ALIAS]; legacy: /etc/hosts entries)' -r
complete -c berth -n "__fish_berth_using_subcommand create" -l expose -d 'Expose a port or a range of ports (PORT[-END][/PROTO])' -r
complete -c berth -n "__fish_berth_using_subcommand create" -l add-host -d 'Add a custom host-to-IP mapping (host:ip, ip may be host-gateway)' -r
complete -c berth -n "__fish_berth_using_subcommand create" -l dns -d 'Set custom DNS servers' -r
complete -c berth -n "__fish_berth_using_subcommand create" -l dns-search -d 'Set custom DNS search domains' -r
complete -c berth -n "__fish_berth_using_subcommand create" -l dns-option -d 'Set DNS options' -r
complete -c berth -n "__fish_berth_using_subcommand create" -l pull -d 'Pull image before running: missing, always, never' -r -f -a "missing\t''
always\t''
never\t''"
complete -c berth -n "__fish_berth_using_subcommand create" -l cap-add -d 'Add Linux capabilities' -r
complete -c berth -n "__fish_berth_using_subcommand create" -l cap-drop -d 'Drop Linux capabilities' -r
complete -c berth -n "__fish_berth_using_subcommand create" -l security-opt -d 'Security options (no-new-privileges, seccomp=unconfined, seccomp=FILE)' -r
complete -c berth -n "__fish_berth_using_subcommand create" -l tmpfs -d 'Mount a tmpfs directory (PATH[:OPTIONS])' -r
complete -c berth -n "__fish_berth_using_subcommand create" -s v -l volume -d 'Bind mount a host path or mount a volume ([SOURCE:]DEST[:ro|rw][,z][,rshared|rslave|rprivate])' -r
complete -c berth -n "__fish_berth_using_subcommand create" -l mount -d 'Attach a filesystem mount (type=bind|volume|tmpfs,source=…,target=…,readonly,…)' -r
complete -c berth -n "__fish_berth_using_subcommand create" -l volumes-from -d 'Mount the volumes of a container (CONTAINER[:ro|rw])' -r
complete -c berth -n "__fish_berth_using_subcommand create" -l sysctl -d 'Namespaced kernel parameters (KEY=VALUE)' -r
complete -c berth -n "__fish_berth_using_subcommand create" -l ulimit -d 'Ulimit options (NAME=SOFT[:HARD])' -r
complete -c berth -n "__fish_berth_using_subcommand create" -s m -l memory -d 'Memory limit (e.g. 512m)' -r
complete -c berth -n "__fish_berth_using_subcommand create" -l memory-swap -d 'Memory plus swap limit; -1 for unlimited swap' -r
complete -c berth -n "__fish_berth_using_subcommand create" -l cpus -d 'Number of CPUs' -r
complete -c berth -n "__fish_berth_using_subcommand create" -s c -l cpu-shares -d 'CPU shares (relative weight)' -r
complete -c berth -n "__fish_berth_using_subcommand create" -l cpu-quota -d 'CPU CFS quota (microseconds)' -r
complete -c berth -n "__fish_berth_using_subcommand create" -l cpu-period -d 'CPU CFS period (microseconds)' -r
complete -c berth -n "__fish_berth_using_subcommand create" -l cpuset-cpus -d 'CPUs in which to allow execution (0-3, 0,1)' -r
complete -c berth -n "__fish_berth_using_subcommand create" -l cpuset-mems -d 'MEMs in which to allow execution (0-3, 0,1)' -r
complete -c berth -n "__fish_berth_using_subcommand create" -l memory-reservation -d 'Memory soft limit' -r
complete -c berth -n "__fish_berth_using_subcommand create" -l pids-limit -d 'Tune container pids limit (-1 for unlimited)' -r
complete -c berth -n "__fish_berth_using_subcommand create" -l blkio-weight -d 'Block IO weight (10-1000)' -r
complete -c berth -n "__fish_berth_using_subcommand create" -l stop-signal -d 'Signal to stop the container' -r
complete -c berth -n "__fish_berth_using_subcommand create" -l stop-timeout -d 'Timeout (in seconds) to stop a container' -r
complete -c berth -n "__fish_berth_using_subcommand create" -l log-driver -d 'Logging driver for the container (json-file, local, none)' -r
complete -c berth -n "__fish_berth_using_subcommand create" -l log-opt -d 'Log driver options (max-size=10m, max-file=3, compress=true, labels, env, tag)' -r
complete -c berth -n "__fish_berth_using_subcommand create" -l platform -d 'Set platform if the image is multi-platform' -r
complete -c berth -n "__fish_berth_using_subcommand create" -l device -d 'Add a host device to the container (HOST[:CONTAINER][:PERMS])' -r
complete -c berth -n "__fish_berth_using_subcommand create" -l device-cgroup-rule -d 'Add a rule to the cgroup allowed devices list (\'c 1:3 rwm\')' -r
complete -c berth -n "__fish_berth_using_subcommand create" -l gpus -d 'GPU devices to add to the container (needs the NVIDIA container toolkit: refused)' -r
complete -c berth -n "__fish_berth_using_subcommand create" -l shm-size -d 'Size of /dev/shm (e.g. 128m)' -r
complete -c berth -n "__fish_berth_using_subcommand create" -l ipc -d 'IPC mode: private, shareable, none, host, container:NAME' -r
complete -c berth -n "__fish_berth_using_subcommand create" -l pid -d 'PID namespace: host, container:NAME' -r
complete -c berth -n "__fish_berth_using_subcommand create" -l uts -d 'UTS namespace: host' -r
complete -c berth -n "__fish_berth_using_subcommand create" -l cgroupns -d 'Cgroup namespace: host, private' -r
complete -c berth -n "__fish_berth_using_subcommand create" -l group-add -d 'Add additional groups to join' -r
complete -c berth -n "__fish_berth_using_subcommand create" -l cgroup-parent -d 'Optional parent cgroup for the container' -r
complete -c berth -n "__fish_berth_using_subcommand create" -l domainname -d 'Container NIS domain name' -r
complete -c berth -n "__fish_berth_using_subcommand create" -l oom-score-adj -d 'Tune host\'s OOM preferences (-1000 to 1000)' -r
complete -c berth -n "__fish_berth_using_subcommand create" -l health-cmd -d 'Command to run to check health' -r
complete -c berth -n "__fish_berth_using_subcommand create" -l health-interval -d 'Time between running the check (ms|s|m|h) (default 0s)' -r
complete -c berth -n "__fish_berth_using_subcommand create" -l health-retries -d 'Consecutive failures needed to report unhealthy' -r
complete -c berth -n "__fish_berth_using_subcommand create" -l health-start-interval -d 'Time between running the check during the start period (ms|s|m|h) (default 0s)' -r
complete -c berth -n "__fish_berth_using_subcommand create" -l health-start-period -d 'Start period for the container to initialize before starting health-retries countdown (ms|s|m|h) (default 0s)' -r
complete -c berth -n "__fish_berth_using_subcommand create" -l health-timeout -d 'Maximum time to allow one check to run (ms|s|m|h) (default 0s)' -r
complete -c berth -n "__fish_berth_using_subcommand create" -l cidfile -d 'Write the container ID to the file' -r -F
complete -c berth -n "__fish_berth_using_subcommand create" -l label-file -d 'Read in a line delimited file of labels' -r -F
complete -c berth -n "__fish_berth_using_subcommand create" -s a -l attach -d 'Attach to STDIN, STDOUT or STDERR' -r -f -a "stdin\t''
stdout\t''
stderr\t''"
complete -c berth -n "__fish_berth_using_subcommand create" -l detach-keys -d 'Override the key sequence for detaching a container' -r
complete -c berth -n "__fish_berth_using_subcommand create" -l root -d 'Directory for persistent data (images, layers, state database)' -r -F
complete -c berth -n "__fish_berth_using_subcommand create" -l runroot -d 'Directory for volatile state (mounts, sockets)' -r -F
complete -c berth -n "__fish_berth_using_subcommand create" -l log-level -d 'Log level for diagnostics on stderr' -r -f -a "trace\t''
debug\t''
info\t''
warn\t''
error\t''"
complete -c berth -n "__fish_berth_using_subcommand create" -l help -d 'Print help'
complete -c berth -n "__fish_berth_using_subcommand create" -s i -l interactive -d 'Keep STDIN open'
complete -c berth -n "__fish_berth_using_subcommand create" -s t -l tty -d 'Allocate a pseudo-TTY'
complete -c berth -n "__fish_berth_using_subcommand create" -l rm -d 'Automatically remove the container when it exits'
complete -c berth -n "__fish_berth_using_subcommand create" -s P -l publish-all -d 'Publish all exposed ports to random ports'
complete -c berth -n "__fish_berth_using_subcommand create" -l privileged -d 'Give extended privileges to this container'
complete -c berth -n "__fish_berth_using_subcommand create" -l read-only -d 'Mount the container\'s root filesystem as read only'
complete -c berth -n "__fish_berth_using_subcommand create" -l init -d 'Run an init inside the container that forwards signals and reaps processes'
complete -c berth -n "__fish_berth_using_subcommand create" -l oom-kill-disable -d 'Disable OOM Killer'
complete -c berth -n "__fish_berth_using_subcommand create" -l no-healthcheck -d 'Disable any container-specified HEALTHCHECK'
complete -c berth -n "__fish_berth_using_subcommand create" -l replace -d 'If a container with the same name exists, replace it (podman)'
complete -c berth -n "__fish_berth_using_subcommand create" -s V -l version -d 'Print version'
complete -c berth -n "__fish_berth_using_subcommand start" -l detach-keys -d 'Override the key sequence for detaching a container' -r
complete -c berth -n "__fish_berth_using_subcommand start" -l root -d 'Directory for persistent data (images, layers, state database)' -r -F
complete -c berth -n "__fish_berth_using_subcommand start" -l runroot -d 'Directory for volatile state (mounts, sockets)' -r -F
complete -c berth -n "__fish_berth_using_subcommand start" -l log-level -d 'Log level for diagnostics on stderr' -r -f -a "trace\t''
debug\t''
info\t''
warn\t''
error\t''"
complete -c berth -n "__fish_berth_using_subcommand start" -l all -d 'Start every stopped container whose restart policy is always, or unless-stopped and not stopped by the user (run this at boot; see README)'
complete -c berth -n "__fish_berth_using_subcommand start" -s a -l attach -d 'Attach STDOUT/STDERR and forward signals'
complete -c berth -n "__fish_berth_using_subcommand start" -s i -l interactive -d 'Attach container\'s STDIN'
complete -c berth -n "__fish_berth_using_subcommand start" -s h -l help -d 'Print help'
complete -c berth -n "__fish_berth_using_subcommand start" -s V -l version -d 'Print version'
complete -c berth -n "__fish_berth_using_subcommand stop" -s s -l signal -d 'Signal to send to the container' -r
complete -c berth -n "__fish_berth_using_subcommand stop" -s t -l timeout -l time -d 'Seconds to wait before killing the container' -r
complete -c berth -n "__fish_berth_using_subcommand stop" -l root -d 'Directory for persistent data (images, layers, state database)' -r -F
complete -c berth -n "__fish_berth_using_subcommand stop" -l runroot -d 'Directory for volatile state (mounts, sockets)' -r -F
complete -c berth -n "__fish_berth_using_subcommand stop" -l log-level -d 'Log level for diagnostics on stderr' -r -f -a "trace\t''
debug\t''
info\t''
warn\t''
error\t''"
complete -c berth -n "__fish_berth_using_subcommand stop" -s a -l all -d 'Act on all containers (those the command applies to)'
complete -c berth -n "__fish_berth_using_subcommand stop" -s i -l ignore -d 'Ignore errors when a specified container is missing'
complete -c berth -n "__fish_berth_using_subcommand stop" -s h -l help -d 'Print help'
complete -c berth -n "__fish_berth_using_subcommand stop" -s V -l version -d 'Print version'
complete -c berth -n "__fish_berth_using_subcommand restart" -s s -l signal -d 'Signal to send to the container' -r
complete -c berth -n "__fish_berth_using_subcommand restart" -s t -l timeout -l time -d 'Seconds to wait before killing the container' -r
complete -c berth -n "__fish_berth_using_subcommand restart" -l root -d 'Directory for persistent data (images, layers, state database)' -r -F
complete -c berth -n "__fish_berth_using_subcommand restart" -l runroot -d 'Directory for volatile state (mounts, sockets)' -r -F
complete -c berth -n "__fish_berth_using_subcommand restart" -l log-level -d 'Log level for diagnostics on stderr' -r -f -a "trace\t''
debug\t''
info\t''
warn\t''
error\t''"
complete -c berth -n "__fish_berth_using_subcommand restart" -s a -l all -d 'Act on all containers (those the command applies to)'
complete -c berth -n "__fish_berth_using_subcommand restart" -s i -l ignore -d 'Ignore errors when a specified container is missing'
complete -c berth -n "__fish_berth_using_subcommand restart" -s h -l help -d 'Print help'
complete -c berth -n "__fish_berth_using_subcommand restart" -s V -l version -d 'Print version'
complete -c berth -n "__fish_berth_using_subcommand kill" -s s -l signal -d 'Signal to send to the container' -r
complete -c berth -n "__fish_berth_using_subcommand kill" -l root -d 'Directory for persistent data (images, layers, state database)' -r -F
complete -c berth -n "__fish_berth_using_subcommand kill" -l runroot -d 'Directory for volatile state (mounts, sockets)' -r -F
complete -c berth -n "__fish_berth_using_subcommand kill" -l log-level -d 'Log level for diagnostics on stderr' -r -f -a "trace\t''
debug\t''
info\t''
warn\t''
error\t''"
complete -c berth -n "__fish_berth_using_subcommand kill" -s a -l all -d 'Act on all containers (those the command applies to)'
complete -c berth -n "__fish_berth_using_subcommand kill" -s i -l ignore -d 'Ignore errors when a specified container is missing'
complete -c berth -n "__fish_berth_using_subcommand kill" -s h -l help -d 'Print help'
complete -c berth -n "__fish_berth_using_subcommand kill" -s V -l version -d 'Print version'
complete -c berth -n "__fish_berth_using_subcommand rm" -s t -l time -d 'Seconds to wait for a running container to stop before killing it (implies --force)' -r
complete -c berth -n "__fish_berth_using_subcommand rm" -l root -d 'Directory for persistent data (images, layers, state database)' -r -F
complete -c berth -n "__fish_berth_using_subcommand rm" -l runroot -d 'Directory for volatile state (mounts, sockets)' -r -F
complete -c berth -n "__fish_berth_using_subcommand rm" -l log-level -d 'Log level for diagnostics on stderr' -r -f -a "trace\t''
debug\t''
info\t''
warn\t''
error\t''"
complete -c berth -n "__fish_berth_using_subcommand rm" -s f -l force -d 'Force the removal of a running container (uses SIGKILL)'
complete -c berth -n "__fish_berth_using_subcommand rm" -s v -l volumes -d 'Remove anonymous volumes associated with the container'
complete -c berth -n "__fish_berth_using_subcommand rm" -s l -l link -d 'Remove the specified link (/LINKER/ALIAS), not the container'
complete -c berth -n "__fish_berth_using_subcommand rm" -s a -l all -d 'Act on all containers (those the command applies to)'
complete -c berth -n "__fish_berth_using_subcommand rm" -s i -l ignore -d 'Ignore errors when a specified container is missing'
complete -c berth -n "__fish_berth_using_subcommand rm" -s h -l help -d 'Print help'
complete -c berth -n "__fish_berth_using_subcommand rm" -s V -l version -d 'Print version'
complete -c berth -n "__fish_berth_using_subcommand ps" -s n -l last -d 'Show n last created containers (includes all states)' -r
complete -c berth -n "__fish_berth_using_subcommand ps" -s f -l filter -d 'Filter output (Docker\'s: ancestor, before, exited, expose, health, id, is-task, label, name (a regular expression), network, publish, since, status, volume)' -r
complete -c berth -n "__fish_berth_using_subcommand ps" -l format -d 'Output format: table, json, or a Go template' -r
complete -c berth -n "__fish_berth_using_subcommand ps" -l sort -d 'Sort by created, id, image, names, runningfor or status (podman\'s; default: newest first)' -r -f -a "created\t''
id\t''
image\t''
names\t''
runningfor\t''
status\t''"
complete -c berth -n "__fish_berth_using_subcommand ps" -l root -d 'Directory for persistent data (images, layers, state database)' -r -F
complete -c berth -n "__fish_berth_using_subcommand ps" -l runroot -d 'Directory for volatile state (mounts, sockets)' -r -F
complete -c berth -n "__fish_berth_using_subcommand ps" -l log-level -d 'Log level for diagnostics on stderr' -r -f -a "trace\t''
debug\t''
info\t''
warn\t''
error\t''"
complete -c berth -n "__fish_berth_using_subcommand ps" -s a -l all -d 'Show all containers (default shows just running)'
complete -c berth -n "__fish_berth_using_subcommand ps" -s q -l quiet -d 'Only display container IDs'
complete -c berth -n "__fish_berth_using_subcommand ps" -s l -l latest -d 'Show the latest created container (includes all states)'
complete -c berth -n "__fish_berth_using_subcommand ps" -l no-trunc -d 'Don\'t truncate output'
complete -c berth -n "__fish_berth_using_subcommand ps" -s s -l size -d 'Display total file sizes'
complete -c berth -n "__fish_berth_using_subcommand ps" -l no-heading -d 'Print no header row (podman\'s spelling)'
complete -c berth -n "__fish_berth_using_subcommand ps" -s h -l help -d 'Print help'
complete -c berth -n "__fish_berth_using_subcommand ps" -s V -l version -d 'Print version'
complete -c berth -n "__fish_berth_using_subcommand logs" -s n -l tail -d 'Number of lines to show from the end of the logs ("all")' -r
complete -c berth -n "__fish_berth_using_subcommand logs" -l since -d 'Show logs since timestamp (e.g. "2013-01-02T13:23:37Z") or relative (e.g. "42m" for 42 minutes)' -r
complete -c berth -n "__fish_berth_using_subcommand logs" -l until -d 'Show logs before a timestamp (e.g. "2013-01-02T13:23:37Z") or relative (e.g. "42m" for 42 minutes)' -r
complete -c berth -n "__fish_berth_using_subcommand logs" -l root -d 'Directory for persistent data (images, layers, state database)' -r -F
complete -c berth -n "__fish_berth_using_subcommand logs" -l runroot -d 'Directory for volatile state (mounts, sockets)' -r -F
complete -c berth -n "__fish_berth_using_subcommand logs" -l log-level -d 'Log level for diagnostics on stderr' -r -f -a "trace\t''
debug\t''
info\t''
warn\t''
error\t''"
complete -c berth -n "__fish_berth_using_subcommand logs" -s f -l follow -d 'Follow log output'
complete -c berth -n "__fish_berth_using_subcommand logs" -s t -l timestamps -d 'Show timestamps'
complete -c berth -n "__fish_berth_using_subcommand logs" -l details -d 'Show extra details provided to logs'
complete -c berth -n "__fish_berth_using_subcommand logs" -s h -l help -d 'Print help'
complete -c berth -n "__fish_berth_using_subcommand logs" -s V -l version -d 'Print version'
complete -c berth -n "__fish_berth_using_subcommand wait" -l root -d 'Directory for persistent data (images, layers, state database)' -r -F
complete -c berth -n "__fish_berth_using_subcommand wait" -l runroot -d 'Directory for volatile state (mounts, sockets)' -r -F
complete -c berth -n "__fish_berth_using_subcommand wait" -l log-level -d 'Log level for diagnostics on stderr' -r -f -a "trace\t''
debug\t''
info\t''
warn\t''
error\t''"
complete -c berth -n "__fish_berth_using_subcommand wait" -s h -l help -d 'Print help'
complete -c berth -n "__fish_berth_using_subcommand wait" -s V -l version -d 'Print version'
complete -c berth -n "__fish_berth_using_subcommand rename" -l root -d 'Directory for persistent data (images, layers, state database)' -r -F
complete -c berth -n "__fish_berth_using_subcommand rename" -l runroot -d 'Directory for volatile state (mounts, sockets)' -r -F
complete -c berth -n "__fish_berth_using_subcommand rename" -l log-level -d 'Log level for diagnostics on stderr' -r -f -a "trace\t''
debug\t''
info\t''
warn\t''
error\t''"
complete -c berth -n "__fish_berth_using_subcommand rename" -s h -l help -d 'Print help'
complete -c berth -n "__fish_berth_using_subcommand rename" -s V -l version -d 'Print version'
complete -c berth -n "__fish_berth_using_subcommand update" -l blkio-weight -d 'Block IO (relative weight), between 10 and 1000, or 0 to disable' -r
complete -c berth -n "__fish_berth_using_subcommand update" -l cpu-period -d 'Limit CPU CFS (Completely Fair Scheduler) period' -r
complete -c berth -n "__fish_berth_using_subcommand update" -l cpu-quota -d 'Limit CPU CFS (Completely Fair Scheduler) quota' -r
complete -c berth -n "__fish_berth_using_subcommand update" -s c -l cpu-shares -d 'CPU shares (relative weight)' -r
complete -c berth -n "__fish_berth_using_subcommand update" -l cpus -d 'Number of CPUs' -r
complete -c berth -n "__fish_berth_using_subcommand update" -l cpuset-cpus -d 'CPUs in which to allow execution (0-3, 0,1)' -r
complete -c berth -n "__fish_berth_using_subcommand update" -l cpuset-mems -d 'MEMs in which to allow execution (0-3, 0,1)' -r
complete -c berth -n "__fish_berth_using_subcommand update" -s m -l memory -d 'Memory limit' -r
complete -c berth -n "__fish_berth_using_subcommand update" -l memory-reservation -d 'Memory soft limit' -r
complete -c berth -n "__fish_berth_using_subcommand update" -l memory-swap -d 'Swap limit equal to memory plus swap: -1 to enable unlimited swap' -r
complete -c berth -n "__fish_berth_using_subcommand update" -l pids-limit -d 'Tune container pids limit (-1 for unlimited)' -r
complete -c berth -n "__fish_berth_using_subcommand update" -l restart -d 'Restart policy to apply when a container exits' -r
complete -c berth -n "__fish_berth_using_subcommand update" -l root -d 'Directory for persistent data (images, layers, state database)' -r -F
complete -c berth -n "__fish_berth_using_subcommand update" -l runroot -d 'Directory for volatile state (mounts, sockets)' -r -F
complete -c berth -n "__fish_berth_using_subcommand update" -l log-level -d 'Log level for diagnostics on stderr' -r -f -a "trace\t''
debug\t''
info\t''
warn\t''
error\t''"
complete -c berth -n "__fish_berth_using_subcommand update" -s h -l help -d 'Print help'
complete -c berth -n "__fish_berth_using_subcommand update" -s V -l version -d 'Print version'
complete -c berth -n "__fish_berth_using_subcommand exec" -s e -l env -d 'Set environment variables (KEY=VALUE, or KEY to take the host\'s value)' -r
complete -c berth -n "__fish_berth_using_subcommand exec" -l env-file -d 'Read environment variables from a file' -r -F
complete -c berth -n "__fish_berth_using_subcommand exec" -s u -l user -d 'Username or UID (format: <name|uid>[:<group|gid>])' -r
complete -c berth -n "__fish_berth_using_subcommand exec" -s w -l workdir -d 'Working directory inside the container' -r
complete -c berth -n "__fish_berth_using_subcommand exec" -l root -d 'Directory for persistent data (images, layers, state database)' -r -F
complete -c berth -n "__fish_berth_using_subcommand exec" -l runroot -d 'Directory for volatile state (mounts, sockets)' -r -F
complete -c berth -n "__fish_berth_using_subcommand exec" -l log-level -d 'Log level for diagnostics on stderr' -r -f -a "trace\t''
debug\t''
info\t''
warn\t''
error\t''"
complete -c berth -n "__fish_berth_using_subcommand exec" -s d -l detach -d 'Detached mode: run the command in the background'
complete -c berth -n "__fish_berth_using_subcommand exec" -s i -l interactive -d 'Keep STDIN open even if not attached'
complete -c berth -n "__fish_berth_using_subcommand exec" -s t -l tty -d 'Allocate a pseudo-TTY'
complete -c berth -n "__fish_berth_using_subcommand exec" -l privileged -d 'Give extended privileges to the command'
complete -c berth -n "__fish_berth_using_subcommand exec" -s h -l help -d 'Print help'
complete -c berth -n "__fish_berth_using_subcommand exec" -s V -l version -d 'Print version'
complete -c berth -n "__fish_berth_using_subcommand attach" -l sig-proxy -d 'Proxy all received signals to the process' -r -f -a "true\t''
false\t''"
complete -c berth -n "__fish_berth_using_subcommand attach" -l detach-keys -d 'Override the key sequence for detaching a container' -r
complete -c berth -n "__fish_berth_using_subcommand attach" -l root -d 'Directory for persistent data (images, layers, state database)' -r -F
complete -c berth -n "__fish_berth_using_subcommand attach" -l runroot -d 'Directory for volatile state (mounts, sockets)' -r -F
complete -c berth -n "__fish_berth_using_subcommand attach" -l log-level -d 'Log level for diagnostics on stderr' -r -f -a "trace\t''
debug\t''
info\t''
warn\t''
error\t''"
complete -c berth -n "__fish_berth_using_subcommand attach" -l no-stdin -d 'Do not attach STDIN'
complete -c berth -n "__fish_berth_using_subcommand attach" -s h -l help -d 'Print help'
complete -c berth -n "__fish_berth_using_subcommand attach" -s V -l version -d 'Print version'
complete -c berth -n "__fish_berth_using_subcommand top" -l root -d 'Directory for persistent data (images, layers, state database)' -r -F
complete -c berth -n "__fish_berth_using_subcommand top" -l runroot -d 'Directory for volatile state (mounts, sockets)' -r -F
complete -c berth -n "__fish_berth_using_subcommand top" -l log-level -d 'Log level for diagnostics on stderr' -r -f -a "trace\t''
debug\t''
info\t''
warn\t''
error\t''"
complete -c berth -n "__fish_berth_using_subcommand top" -s h -l help -d 'Print help'
complete -c berth -n "__fish_berth_using_subcommand top" -s V -l version -d 'Print version'
complete -c berth -n "__fish_berth_using_subcommand pause" -l root -d 'Directory for persistent data (images, layers, state database)' -r -F
complete -c berth -n "__fish_berth_using_subcommand pause" -l runroot -d 'Directory for volatile state (mounts, sockets)' -r -F
complete -c berth -n "__fish_berth_using_subcommand pause" -l log-level -d 'Log level for diagnostics on stderr' -r -f -a "trace\t''
debug\t''
info\t''
warn\t''
error\t''"
complete -c berth -n "__fish_berth_using_subcommand pause" -s a -l all -d 'Act on all containers (those the command applies to)'
complete -c berth -n "__fish_berth_using_subcommand pause" -s i -l ignore -d 'Ignore errors when a specified container is missing'
complete -c berth -n "__fish_berth_using_subcommand pause" -s h -l help -d 'Print help'
complete -c berth -n "__fish_berth_using_subcommand pause" -s V -l version -d 'Print version'
complete -c berth -n "__fish_berth_using_subcommand cp" -l root -d 'Directory for persistent data (images, layers, state database)' -r -F
complete -c berth -n "__fish_berth_using_subcommand cp" -l runroot -d 'Directory for volatile state (mounts, sockets)' -r -F
complete -c berth -n "__fish_berth_using_subcommand cp" -l log-level -d 'Log level for diagnostics on stderr' -r -f -a "trace\t''
debug\t''
info\t''
warn\t''
error\t''"
complete -c berth -n "__fish_berth_using_subcommand cp" -s a -l archive -d 'Archive mode (copy all uid/gid information)'
complete -c berth -n "__fish_berth_using_subcommand cp" -s L -l follow-link -d 'Always follow symbol link in SRC_PATH'
complete -c berth -n "__fish_berth_using_subcommand cp" -s q -l quiet -d 'Suppress progress output during copy (berth prints none)'
complete -c berth -n "__fish_berth_using_subcommand cp" -s h -l help -d 'Print help'
complete -c berth -n "__fish_berth_using_subcommand cp" -s V -l version -d 'Print version'
complete -c berth -n "__fish_berth_using_subcommand export" -s o -l output -d 'Write to a file, instead of STDOUT' -r -F
complete -c berth -n "__fish_berth_using_subcommand export" -l root -d 'Directory for persistent data (images, layers, state database)' -r -F
complete -c berth -n "__fish_berth_using_subcommand export" -l runroot -d 'Directory for volatile state (mounts, sockets)' -r -F
complete -c berth -n "__fish_berth_using_subcommand export" -l log-level -d 'Log level for diagnostics on stderr' -r -f -a "trace\t''
debug\t''
info\t''
warn\t''
error\t''"
complete -c berth -n "__fish_berth_using_subcommand export" -s h -l help -d 'Print help'
complete -c berth -n "__fish_berth_using_subcommand export" -s V -l version -d 'Print version'
complete -c berth -n "__fish_berth_using_subcommand diff" -l root -d 'Directory for persistent data (images, layers, state database)' -r -F
complete -c berth -n "__fish_berth_using_subcommand diff" -l runroot -d 'Directory for volatile state (mounts, sockets)' -r -F
complete -c berth -n "__fish_berth_using_subcommand diff" -l log-level -d 'Log level for diagnostics on stderr' -r -f -a "trace\t''
debug\t''
info\t''
warn\t''
error\t''"
complete -c berth -n "__fish_berth_using_subcommand diff" -s h -l help -d 'Print help'
complete -c berth -n "__fish_berth_using_subcommand diff" -s V -l version -d 'Print version'
complete -c berth -n "__fish_berth_using_subcommand unpause" -l root -d 'Directory for persistent data (images, layers, state database)' -r -F
complete -c berth -n "__fish_berth_using_subcommand unpause" -l runroot -d 'Directory for volatile state (mounts, sockets)' -r -F
complete -c berth -n "__fish_berth_using_subcommand unpause" -l log-level -d 'Log level for diagnostics on stderr' -r -f -a "trace\t''
debug\t''
info\t''
warn\t''
error\t''"
complete -c berth -n "__fish_berth_using_subcommand unpause" -s a -l all -d 'Act on all containers (those the command applies to)'
complete -c berth -n "__fish_berth_using_subcommand unpause" -s i -l ignore -d 'Ignore errors when a specified container is missing'
complete -c berth -n "__fish_berth_using_subcommand unpause" -s h -l help -d 'Print help'
complete -c berth -n "__fish_berth_using_subcommand unpause" -s V -l version -d 'Print version'
complete -c berth -n "__fish_berth_using_subcommand container; and not __fish_seen_subcommand_from run create start stop restart kill rm remove ls list ps logs wait rename prune exec attach top stats pause unpause inspect exists cp export diff update port help" -l root -d 'Directory for persistent data (images, layers, state database)' -r -F
complete -c berth -n "__fish_berth_using_subcommand container; and not __fish_seen_subcommand_from run create start stop restart kill rm remove ls list ps logs wait rename prune exec attach top stats pause unpause inspect exists cp export diff update port help" -l runroot -d 'Directory for volatile state (mounts, sockets)' -r -F
complete -c berth -n "__fish_berth_using_subcommand container; and not __fish_seen_subcommand_from run create start stop restart kill rm remove ls list ps logs wait rename prune exec attach top stats pause unpause inspect exists cp export diff update port help" -l log-level -d 'Log level for diagnostics on stderr' -r -f -a "trace\t''
debug\t''
info\t''
warn\t''
error\t''"
complete -c berth -n "__fish_berth_using_subcommand container; and not __fish_seen_subcommand_from run create start stop restart kill rm remove ls list ps logs wait rename prune exec attach top stats pause unpause inspect exists cp export diff update port help" -s h -l help -d 'Print help'
complete -c berth -n "__fish_berth_using_subcommand container; and not __fish_seen_subcommand_from run create start stop restart kill rm remove ls list ps logs wait rename prune exec attach top stats pause unpause inspect exists cp export diff update port help" -s V -l version -d 'Print version'
complete -c berth -n "__fish_berth_using_subcommand container; and not __fish_seen_subcommand_from run create start stop restart kill rm remove ls list ps logs wait rename prune exec attach top stats pause unpause inspect exists cp export diff update port help" -f -a "run" -d 'Create and run a new container from an image'
complete -c berth -n "__fish_berth_using_subcommand container; and not __fish_seen_subcommand_from run create start stop restart kill rm remove ls list ps logs wait rename prune exec attach top stats pause unpause inspect exists cp export diff update port help" -f -a "create" -d 'Create a new container'
complete -c berth -n "__fish_berth_using_subcommand container; and not __fish_seen_subcommand_from run create start stop restart kill rm remove ls list ps logs wait rename prune exec attach top stats pause unpause inspect exists cp export diff update port help" -f -a "start" -d 'Start one or more stopped containers'
complete -c berth -n "__fish_berth_using_subcommand container; and not __fish_seen_subcommand_from run create start stop restart kill rm remove ls list ps logs wait rename prune exec attach top stats pause unpause inspect exists cp export diff update port help" -f -a "stop" -d 'Stop one or more running containers'
complete -c berth -n "__fish_berth_using_subcommand container; and not __fish_seen_subcommand_from run create start stop restart kill rm remove ls list ps logs wait rename prune exec attach top stats pause unpause inspect exists cp export diff update port help" -f -a "restart" -d 'Restart one or more containers'
complete -c berth -n "__fish_berth_using_subcommand container; and not __fish_seen_subcommand_from run create start stop restart kill rm remove ls list ps logs wait rename prune exec attach top stats pause unpause inspect exists cp export diff update port help" -f -a "kill" -d 'Kill one or more running containers'
complete -c berth -n "__fish_berth_using_subcommand container; and not __fish_seen_subcommand_from run create start stop restart kill rm remove ls list ps logs wait rename prune exec attach top stats pause unpause inspect exists cp export diff update port help" -f -a "rm" -d 'Remove one or more containers'
complete -c berth -n "__fish_berth_using_subcommand container; and not __fish_seen_subcommand_from run create start stop restart kill rm remove ls list ps logs wait rename prune exec attach top stats pause unpause inspect exists cp export diff update port help" -f -a "remove" -d 'Remove one or more containers'
complete -c berth -n "__fish_berth_using_subcommand container; and not __fish_seen_subcommand_from run create start stop restart kill rm remove ls list ps logs wait rename prune exec attach top stats pause unpause inspect exists cp export diff update port help" -f -a "ls" -d 'List containers'
complete -c berth -n "__fish_berth_using_subcommand container; and not __fish_seen_subcommand_from run create start stop restart kill rm remove ls list ps logs wait rename prune exec attach top stats pause unpause inspect exists cp export diff update port help" -f -a "list" -d 'List containers'
complete -c berth -n "__fish_berth_using_subcommand container; and not __fish_seen_subcommand_from run create start stop restart kill rm remove ls list ps logs wait rename prune exec attach top stats pause unpause inspect exists cp export diff update port help" -f -a "ps" -d 'List containers'
complete -c berth -n "__fish_berth_using_subcommand container; and not __fish_seen_subcommand_from run create start stop restart kill rm remove ls list ps logs wait rename prune exec attach top stats pause unpause inspect exists cp export diff update port help" -f -a "logs" -d 'Fetch the logs of a container'
complete -c berth -n "__fish_berth_using_subcommand container; and not __fish_seen_subcommand_from run create start stop restart kill rm remove ls list ps logs wait rename prune exec attach top stats pause unpause inspect exists cp export diff update port help" -f -a "wait" -d 'Block until one or more containers stop, then print their exit codes'
complete -c berth -n "__fish_berth_using_subcommand container; and not __fish_seen_subcommand_from run create start stop restart kill rm remove ls list ps logs wait rename prune exec attach top stats pause unpause inspect exists cp export diff update port help" -f -a "rename" -d 'Rename a container'
complete -c berth -n "__fish_berth_using_subcommand container; and not __fish_seen_subcommand_from run create start stop restart kill rm remove ls list ps logs wait rename prune exec attach top stats pause unpause inspect exists cp export diff update port help" -f -a "prune" -d 'Remove all stopped containers'
complete -c berth -n "__fish_berth_using_subcommand container; and not __fish_seen_subcommand_from run create start stop restart kill rm remove ls list ps logs wait rename prune exec attach top stats pause unpause inspect exists cp export diff update port help" -f -a "exec" -d 'Execute a command in a running container'
complete -c berth -n "__fish_berth_using_subcommand container; and not __fish_seen_subcommand_from run create start stop restart kill rm remove ls list ps logs wait rename prune exec attach top stats pause unpause inspect exists cp export diff update port help" -f -a "attach" -d 'Attach local standard input, output, and error streams to a running container'
complete -c berth -n "__fish_berth_using_subcommand container; and not __fish_seen_subcommand_from run create start stop restart kill rm remove ls list ps logs wait rename prune exec attach top stats pause unpause inspect exists cp export diff update port help" -f -a "top" -d 'Display the running processes of a container'
complete -c berth -n "__fish_berth_using_subcommand container; and not __fish_seen_subcommand_from run create start stop restart kill rm remove ls list ps logs wait rename prune exec attach top stats pause unpause inspect exists cp export diff update port help" -f -a "stats" -d 'Display a live stream of container(s) resource usage statistics'
complete -c berth -n "__fish_berth_using_subcommand container; and not __fish_seen_subcommand_from run create start stop restart kill rm remove ls list ps logs wait rename prune exec attach top stats pause unpause inspect exists cp export diff update port help" -f -a "pause" -d 'Pause all processes within one or more containers'
complete -c berth -n "__fish_berth_using_subcommand container; and not __fish_seen_subcommand_from run create start stop restart kill rm remove ls list ps logs wait rename prune exec attach top stats pause unpause inspect exists cp export diff update port help" -f -a "unpause" -d 'Unpause all processes within one or more containers'
complete -c berth -n "__fish_berth_using_subcommand container; and not __fish_seen_subcommand_from run create start stop restart kill rm remove ls list ps logs wait rename prune exec attach top stats pause unpause inspect exists cp export diff update port help" -f -a "inspect" -d 'Display detailed information on one or more containers'
complete -c berth -n "__fish_berth_using_subcommand container; and not __fish_seen_subcommand_from run create start stop restart kill rm remove ls list ps logs wait rename prune exec attach top stats pause unpause inspect exists cp export diff update port help" -f -a "exists" -d 'Exit 0 if the container exists, 1 if not'
complete -c berth -n "__fish_berth_using_subcommand container; and not __fish_seen_subcommand_from run create start stop restart kill rm remove ls list ps logs wait rename prune exec attach top stats pause unpause inspect exists cp export diff update port help" -f -a "cp" -d 'Copy files/folders between a container and the local filesystem'
complete -c berth -n "__fish_berth_using_subcommand container; and not __fish_seen_subcommand_from run create start stop restart kill rm remove ls list ps logs wait rename prune exec attach top stats pause unpause inspect exists cp export diff update port help" -f -a "export" -d 'Export a container\'s filesystem as a tar archive'
complete -c berth -n "__fish_berth_using_subcommand container; and not __fish_seen_subcommand_from run create start stop restart kill rm remove ls list ps logs wait rename prune exec attach top stats pause unpause inspect exists cp export diff update port help" -f -a "diff" -d 'Inspect changes to files or directories on a container\'s filesystem'
complete -c berth -n "__fish_berth_using_subcommand container; and not __fish_seen_subcommand_from run create start stop restart kill rm remove ls list ps logs wait rename prune exec attach top stats pause unpause inspect exists cp export diff update port help" -f -a "update" -d 'Update configuration of one or more containers'
complete -c berth -n "__fish_berth_using_subcommand container; and not __fish_seen_subcommand_from run create start stop restart kill rm remove ls list ps logs wait rename prune exec attach top stats pause unpause inspect exists cp export diff update port help" -f -a "port" -d 'List port mappings or a specific mapping for the container'
complete -c berth -n "__fish_berth_using_subcommand container; and not __fish_seen_subcommand_from run create start stop restart kill rm remove ls list ps logs wait rename prune exec attach top stats pause unpause inspect exists cp export diff update port help" -f -a "help" -d 'Print this message or the help of the given subcommand(s)'
complete -c berth -n "__fish_berth_using_subcommand container; and __fish_seen_subcommand_from run" -l name -d 'Assign a name to the container' -r
complete -c berth -n "__fish_berth_using_subcommand container; and __fish_seen_subcommand_from run" -s e -l env -d 'Set environment variables (KEY=VALUE, or KEY to take the host\'s value)' -r
complete -c berth -n "__fish_berth_using_subcommand container; and __fish_seen_subcommand_from run" -l env-file -d 'Read environment variables from a file' -r -F
complete -c berth -n "__fish_berth_using_subcommand container; and __fish_seen_subcommand_from run" -s w -l workdir -d 'Working directory inside the container' -r
complete -c berth -n "__fish_berth_using_subcommand container; and __fish_seen_subcommand_from run" -s u -l user -d 'Username or UID (format: <name|uid>[:<group|gid>])' -r
complete -c berth -n "__fish_berth_using_subcommand container; and __fish_seen_subcommand_from run" -l entrypoint -d 'Overwrite the default ENTRYPOINT of the image' -r
complete -c berth -n "__fish_berth_using_subcommand container; and __fish_seen_subcommand_from run" -s h -l hostname -d 'Container host name' -r
complete -c berth -n "__fish_berth_using_subcommand container; and __fish_seen_subcommand_from run" -s l -l label -d 'Set metadata on the container (KEY=VALUE)' -r
complete -c berth -n "__fish_berth_using_subcommand container; and __fish_seen_subcommand_from run" -l restart -d 'Restart policy: no, on-failure[:max-retries], always, unless-stopped' -r
complete -c berth -n "__fish_berth_using_subcommand container; and __fish_seen_subcommand_from run" -l network -d 'Connect the container to a network: bridge (default), a network\'s name or ID, none, host, or container:NAME; again for more user-defined networks; advanced form name=NET[,alias=A][,ip=IP][,ip6=IP][,mac-address=MAC]' -r
complete -c berth -n "__fish_berth_using_subcommand container; and __fish_seen_subcommand_from run" -l network-alias -d 'Add a network-scoped alias for the container' -r
complete -c berth -n "__fish_berth_using_subcommand container; and __fish_seen_subcommand_from run" -l ip -d 'IPv4 address (e.g. 172.30.100.104)' -r
complete -c berth -n "__fish_berth_using_subcommand container; and __fish_seen_subcommand_from run" -l ip6 -d 'IPv6 address on a dual-stack network (e.g. fd12:3456:789a::10)' -r
complete -c berth -n "__fish_berth_using_subcommand container; and __fish_seen_subcommand_from run" -l mac-address -d 'Container MAC address (e.g. 92:d0:c6:0a:29:33)' -r
complete -c berth -n "__fish_berth_using_subcommand container; and __fish_seen_subcommand_from run" -s p -l publish -d 'Publish a container\'s port(s) to the host ([IP:][HOSTPORT:]PORT[/PROTO])' -r
complete -c berth -n "__fish_berth_using_subcommand container; and __fish_seen_subcommand_from run" -l link -d 'Add a link to another container (NAME[:ALIAS]; legacy: /etc/hosts entries)' -r
complete -c berth -n "__fish_berth_using_subcommand container; and __fish_seen_subcommand_from run" -l expose -d 'Expose a port or a range of ports (PORT[-END][/PROTO])' -r
complete -c berth -n "__fish_berth_using_subcommand container; and __fish_seen_subcommand_from run" -l add-host -d 'Add a custom host-to-IP mapping (host:ip, ip may be host-gateway)' -r
complete -c berth -n "__fish_berth_using_subcommand container; and __fish_seen_subcommand_from run" -l dns -d 'Set custom DNS servers' -r
complete -c berth -n "__fish_berth_using_subcommand container; and __fish_seen_subcommand_from run" -l dns-search -d 'Set custom DNS search domains' -r
complete -c berth -n "__fish_berth_using_subcommand container; and __fish_seen_subcommand_from run" -l dns-option -d 'Set DNS options' -r
complete -c berth -n "__fish_berth_using_subcommand container; and __fish_seen_subcommand_from run" -l pull -d 'Pull image before running: missing, always, never' -r -f -a "missing\t''
always\t''
never\t''"
complete -c berth -n "__fish_berth_using_subcommand container; and __fish_seen_subcommand_from run" -l cap-add -d 'Add Linux capabilities' -r
complete -c berth -n "__fish_berth_using_subcommand container; and __fish_seen_subcommand_from run" -l cap-drop -d 'Drop Linux capabilities' -r
complete -c berth -n "__fish_berth_using_subcommand container; and __fish_seen_subcommand_from run" -l security-opt -d 'Security options (no-new-privileges, seccomp=unconfined, seccomp=FILE)' -r
complete -c berth -n "__fish_berth_using_subcommand container; and __fish_seen_subcommand_from run" -l tmpfs -d 'Mount a tmpfs directory (PATH[:OPTIONS])' -r
complete -c berth -n "__fish_berth_using_subcommand container; and __fish_seen_subcommand_from run" -s v -l volume -d 'Bind mount a host path or mount a volume ([SOURCE:]DEST[:ro|rw][,z][,rshared|rslave|rprivate])' -r
complete -c berth -n "__fish_berth_using_subcommand container; and __fish_seen_subcommand_from run" -l mount -d 'Attach a filesystem mount (type=bind|volume|tmpfs,source=…,target=…,readonly,…)' -r
complete -c berth -n "__fish_berth_using_subcommand container; and __fish_seen_subcommand_from run" -l volumes-from -d 'Mount the volumes of a container (CONTAINER[:ro|rw])' -r
complete -c berth -n "__fish_berth_using_subcommand container; and __fish_seen_subcommand_from run" -l sysctl -d 'Namespaced kernel parameters (KEY=VALUE)' -r
complete -c berth -n "__fish_berth_using_subcommand container; and __fish_seen_subcommand_from run" -l ulimit -d 'Ulimit options (NAME=SOFT[:HARD])' -r
complete -c berth -n "__fish_berth_using_subcommand container; and __fish_seen_subcommand_from run" -s m -l memory -d 'Memory limit (e.g. 512m)' -r
complete -c berth -n "__fish_berth_using_subcommand container; and __fish_seen_subcommand_from run" -l memory-swap -d 'Memory plus swap limit; -1 for unlimited swap' -r
complete -c berth -n "__fish_berth_using_subcommand container; and __fish_seen_subcommand_from run" -l cpus -d 'Number of CPUs' -r
complete -c berth -n "__fish_berth_using_subcommand container; and __fish_seen_subcommand_from run" -s c -l cpu-shares -d 'CPU shares (relative weight)' -r
complete -c berth -n "__fish_berth_using_subcommand container; and __fish_seen_subcommand_from run" -l cpu-quota -d 'CPU CFS quota (microseconds)' -r
complete -c berth -n "__fish_berth_using_subcommand container; and __fish_seen_subcommand_from run" -l cpu-period -d 'CPU CFS period (microseconds)' -r
complete -c berth -n "__fish_berth_using_subcommand container; and __fish_seen_subcommand_from run" -l cpuset-cpus -d 'CPUs in which to allow execution (0-3, 0,1)' -r
complete -c berth -n "__fish_berth_using_subcommand container; and __fish_seen_subcommand_from run" -l cpuset-mems -d 'MEMs in which to allow execution (0-3, 0,1)' -r
complete -c berth -n "__fish_berth_using_subcommand container; and __fish_seen_subcommand_from run" -l memory-reservation -d 'Memory soft limit' -r
complete -c berth -n "__fish_berth_using_subcommand container; and __fish_seen_subcommand_from run" -l pids-limit -d 'Tune container pids limit (-1 for unlimited)' -r
complete -c berth -n "__fish_berth_using_subcommand container; and __fish_seen_subcommand_from run" -l blkio-weight -d 'Block IO weight (10-1000)' -r
complete -c berth -n "__fish_berth_using_subcommand container; and __fish_seen_subcommand_from run" -l stop-signal -d 'Signal to stop the container' -r
complete -c berth -n "__fish_berth_using_subcommand container; and __fish_seen_subcommand_from run" -l stop-timeout -d 'Timeout (in seconds) to stop a container' -r
complete -c berth -n "__fish_berth_using_subcommand container; and __fish_seen_subcommand_from run" -l log-driver -d 'Logging driver for the container (json-file, local, none)' -r
complete -c berth -n "__fish_berth_using_subcommand container; and __fish_seen_subcommand_from run" -l log-opt -d 'Log driver options (max-size=10m, max-file=3, compress=true, labels, env, tag)' -r
complete -c berth -n "__fish_berth_using_subcommand container; and __fish_seen_subcommand_from run" -l platform -d 'Set platform if the image is multi-platform' -r
complete -c berth -n "__fish_berth_using_subcommand container; and __fish_seen_subcommand_from run" -l device -d 'Add a host device to the container (HOST[:CONTAINER][:PERMS])' -r
complete -c berth -n "__fish_berth_using_subcommand container; and __fish_seen_subcommand_from run" -l device-cgroup-rule -d 'Add a rule to the cgroup allowed devices list (\'c 1:3 rwm\')' -r
complete -c berth -n "__fish_berth_using_subcommand container; and __fish_seen_subcommand_from run" -l gpus -d 'GPU devices to add to the container (needs the NVIDIA container toolkit: refused)' -r
complete -c berth -n "__fish_berth_using_subcommand container; and __fish_seen_subcommand_from run" -l shm-size -d 'Size of /dev/shm (e.g. 128m)' -r
complete -c berth -n "__fish_berth_using_subcommand container; and __fish_seen_subcommand_from run" -l ipc -d 'IPC mode: private, shareable, none, host, container:NAME' -r
complete -c berth -n "__fish_berth_using_subcommand container; and __fish_seen_subcommand_from run" -l pid -d 'PID namespace: host, container:NAME' -r
complete -c berth -n "__fish_berth_using_subcommand container; and __fish_seen_subcommand_from run" -l uts -d 'UTS namespace: host' -r
complete -c berth -n "__fish_berth_using_subcommand container; and __fish_seen_subcommand_from run" -l cgroupns -d 'Cgroup namespace: host, private' -r
complete -c berth -n "__fish_berth_using_subcommand container; and __fish_seen_subcommand_from run" -l group-add -d 'Add additional groups to join' -r
complete -c berth -n "__fish_berth_using_subcommand container; and __fish_seen_subcommand_from run" -l cgroup-parent -d 'Optional parent cgroup for the container' -r
complete -c berth -n "__fish_berth_using_subcommand container; and __fish_seen_subcommand_from run" -l domainname -d 'Container NIS domain name' -r
complete -c berth -n "__fish_berth_using_subcommand container; and __fish_seen_subcommand_from run" -l oom-score-adj -d 'Tune host\'s OOM preferences (-1000 to 1000)' -r
complete -c berth -n "__fish_berth_using_subcommand container; and __fish_seen_subcommand_from run" -l health-cmd -d 'Command to run to check health' -r
complete -c berth -n "__fish_berth_using_subcommand container; and __fish_seen_subcommand_from run" -l health-interval -d 'Time between running the check (ms|s|m|h) (default 0s)' -r
complete -c berth -n "__fish_berth_using_subcommand container; and __fish_seen_subcommand_from run" -l health-retries -d 'Consecutive failures needed to report unhealthy' -r
complete -c berth -n "__fish_berth_using_subcommand container; and __fish_seen_subcommand_from run" -l health-start-interval -d 'Time between running the check during the start period (ms|s|m|h) (default 0s)' -r
complete -c berth -n "__fish_berth_using_subcommand container; and __fish_seen_subcommand_from run" -l health-start-period -d 'Start period for the container to initialize before starting health-retries countdown (ms|s|m|h) (default 0s)' -r
complete -c berth -n "__fish_berth_using_subcommand container; and __fish_seen_subcommand_from run" -l health-timeout -d 'Maximum time to allow one check to run (ms|s|m|h) (default 0s)' -r
complete -c berth -n "__fish_berth_using_subcommand container; and __fish_seen_subcommand_from run" -l cidfile -d 'Write the container ID to the file' -r -F
complete -c berth -n "__fish_berth_using_subcommand container; and __fish_seen_subcommand_from run" -l label-file -d 'Read in a line delimited file of labels' -r -F
complete -c berth -n "__fish_berth_using_subcommand container; and __fish_seen_subcommand_from run" -s a -l attach -d 'Attach to STDIN, STDOUT or STDERR' -r -f -a "stdin\t''
stdout\t''
stderr\t''"
complete -c berth -n "__fish_berth_using_subcommand container; and __fish_seen_subcommand_from run" -l detach-keys -d 'Override the key sequence for detaching a container' -r
complete -c berth -n "__fish_berth_using_subcommand container; and __fish_seen_subcommand_from run" -l sig-proxy -d 'Proxy received signals to the process' -r -f -a "true\t''
false\t''"
complete -c berth -n "__fish_berth_using_subcommand container; and __fish_seen_subcommand_from run" -l root -d 'Directory for persistent data (images, layers, state database)' -r -F
complete -c berth -n "__fish_berth_using_subcommand container; and __fish_seen_subcommand_from run" -l runroot -d 'Directory for volatile state (mounts, sockets)' -r -F
complete -c berth -n "__fish_berth_using_subcommand container; and __fish_seen_subcommand_from run" -l log-level -d 'Log level for diagnostics on stderr' -r -f -a "trace\t''
debug\t''
info\t''
warn\t''
error\t''"
complete -c berth -n "__fish_berth_using_subcommand container; and __fish_seen_subcommand_from run" -l help -d 'Print help'
complete -c berth -n "__fish_berth_using_subcommand container; and __fish_seen_subcommand_from run" -s i -l interactive -d 'Keep STDIN open'
complete -c berth -n "__fish_berth_using_subcommand container; and __fish_seen_subcommand_from run" -s t -l tty -d 'Allocate a pseudo-TTY'
complete -c berth -n "__fish_berth_using_subcommand container; and __fish_seen_subcommand_from run" -l rm -d 'Automatically remove the container when it exits'
complete -c berth -n "__fish_berth_using_subcommand container; and __fish_seen_subcommand_from run" -s P -l publish-all -d 'Publish all exposed ports to random ports'
complete -c berth -n "__fish_berth_using_subcommand container; and __fish_seen_subcommand_from run" -l privileged -d 'Give extended privileges to this container'
complete -c berth -n "__fish_berth_using_subcommand container; and __fish_seen_subcommand_from run" -l read-only -d 'Mount the container\'s root filesystem as read only'
complete -c berth -n "__fish_berth_using_subcommand container; and __fish_seen_subcommand_from run" -l init -d 'Run an init inside the container that forwards signals and reaps processes'
complete -c berth -n "__fish_berth_using_subcommand container; and __fish_seen_subcommand_from run" -l oom-kill-disable -d 'Disable OOM Killer'
complete -c berth -n "__fish_berth_using_subcommand container; and __fish_seen_subcommand_from run" -l no-healthcheck -d 'Disable any container-specified HEALTHCHECK'
complete -c berth -n "__fish_berth_using_subcommand container; and __fish_seen_subcommand_from run" -l replace -d 'If a container with the same name exists, replace it (podman)'
complete -c berth -n "__fish_berth_using_subcommand container; and __fish_seen_subcommand_from run" -s d -l detach -d 'Run container in background and print container ID'
complete -c berth -n "__fish_berth_using_subcommand container; and __fish_seen_subcommand_from run" -s V -l version -d 'Print version'
complete -c berth -n "__fish_berth_using_subcommand container; and __fish_seen_subcommand_from create" -l name -d 'Assign a name to the container' -r
complete -c berth -n "__fish_berth_using_subcommand container; and __fish_seen_subcommand_from create" -s e -l env -d 'Set environment variables (KEY=VALUE, or KEY to take the host\'s value)' -r
complete -c berth -n "__fish_berth_using_subcommand container; and __fish_seen_subcommand_from create" -l env-file -d 'Read environment variables from a file' -r -F
complete -c berth -n "__fish_berth_using_subcommand container; and __fish_seen_subcommand_from create" -s w -l workdir -d 'Working directory inside the container' -r
complete -c berth -n "__fish_berth_using_subcommand container; and __fish_seen_subcommand_from create" -s u -l user -d 'Username or UID (format: <name|uid>[:<group|gid>])' -r
complete -c berth -n "__fish_berth_using_subcommand container; and __fish_seen_subcommand_from create" -l entrypoint -d 'Overwrite the default ENTRYPOINT of the image' -r
complete -c berth -n "__fish_berth_using_subcommand container; and __fish_seen_subcommand_from create" -s h -l hostname -d 'Container host name' -r
complete -c berth -n "__fish_berth_using_subcommand container; and __fish_seen_subcommand_from create" -s l -l label -d 'Set metadata on the container (KEY=VALUE)' -r
complete -c berth -n "__fish_berth_using_subcommand container; and __fish_seen_subcommand_from create" -l restart -d 'Restart policy: no, on-failure[:max-retries], always, unless-stopped' -r
complete -c berth -n "__fish_berth_using_subcommand container; and __fish_seen_subcommand_from create" -l network -d 'Connect the container to a network: bridge (default), a network\'s name or ID, none, host, or container:NAME; again for more user-defined networks; advanced form name=NET[,alias=A][,ip=IP][,ip6=IP][,mac-address=MAC]' -r
complete -c berth -n "__fish_berth_using_subcommand container; and __fish_seen_subcommand_from create" -l network-alias -d 'Add a network-scoped alias for the container' -r
complete -c berth -n "__fish_berth_using_subcommand container; and __fish_seen_subcommand_from create" -l ip -d 'IPv4 address (e.g. 172.30.100.104)' -r
complete -c berth -n "__fish_berth_using_subcommand container; and __fish_seen_subcommand_from create" -l ip6 -d 'IPv6 address on a dual-stack network (e.g. fd12:3456:789a::10)' -r
complete -c berth -n "__fish_berth_using_subcommand container; and __fish_seen_subcommand_from create" -l mac-address -d 'Container MAC address (e.g. 92:d0:c6:0a:29:33)' -r
complete -c berth -n "__fish_berth_using_subcommand container; and __fish_seen_subcommand_from create" -s p -l publish -d 'Publish a container\'s port(s) to the host ([IP:][HOSTPORT:]PORT[/PROTO])' -r
complete -c berth -n "__fish_berth_using_subcommand container; and __fish_seen_subcommand_from create" -l link -d 'Add a link to another container (NAME[:ALIAS]; legacy: /etc/hosts entries)' -r
complete -c berth -n "__fish_berth_using_subcommand container; and __fish_seen_subcommand_from create" -l expose -d 'Expose a port or a range of ports (PORT[-END][/PROTO])' -r
complete -c berth -n "__fish_berth_using_subcommand container; and __fish_seen_subcommand_from create" -l add-host -d 'Add a custom host-to-IP mapping (host:ip, ip may be host-gateway)' -r
complete -c berth -n "__fish_berth_using_subcommand container; and __fish_seen_subcommand_from create" -l dns -d 'Set custom DNS servers' -r
complete -c berth -n "__fish_berth_using_subcommand container; and __fish_seen_subcommand_from create" -l dns-search -d 'Set custom DNS search domains' -r
complete -c berth -n "__fish_berth_using_subcommand container; and __fish_seen_subcommand_from create" -l dns-option -d 'Set DNS options' -r
complete -c berth -n "__fish_berth_using_subcommand container; and __fish_seen_subcommand_from create" -l pull -d 'Pull image before running: missing, always, never' -r -f -a "missing\t''
always\t''
never\t''"
complete -c berth -n "__fish_berth_using_subcommand container; and __fish_seen_subcommand_from create" -l cap-add -d 'Add Linux capabilities' -r
complete -c berth -n "__fish_berth_using_subcommand container; and __fish_seen_subcommand_from create" -l cap-drop -d 'Drop Linux capabilities' -r
complete -c berth -n "__fish_berth_using_subcommand container; and __fish_seen_subcommand_from create" -l security-opt -d 'Security options (no-new-privileges, seccomp=unconfined, seccomp=FILE)' -r
complete -c berth -n "__fish_berth_using_subcommand container; and __fish_seen_subcommand_from create" -l tmpfs -d 'Mount a tmpfs directory (PATH[:OPTIONS])' -r
complete -c berth -n "__fish_berth_using_subcommand container; and __fish_seen_subcommand_from create" -s v -l volume -d 'Bind mount a host path or mount a volume ([SOURCE:]DEST[:ro|rw][,z][,rshared|rslave|rprivate])' -r
complete -c berth -n "__fish_berth_using_subcommand container; and __fish_seen_subcommand_from create" -l mount -d 'Attach a filesystem mount (type=bind|volume|tmpfs,source=…,target=…,readonly,…)' -r
complete -c berth -n "__fish_berth_using_subcommand container; and __fish_seen_subcommand_from create" -l volumes-from -d 'Mount the volumes of a container (CONTAINER[:ro|rw])' -r
complete -c berth -n "__fish_berth_using_subcommand container; and __fish_seen_subcommand_from create" -l sysctl -d 'Namespaced kernel parameters (KEY=VALUE)' -r
complete -c berth -n "__fish_berth_using_subcommand container; and __fish_seen_subcommand_from create" -l ulimit -d 'Ulimit options (NAME=SOFT[:HARD])' -r
complete -c berth -n "__fish_berth_using_subcommand container; and __fish_seen_subcommand_from create" -s m -l memory -d 'Memory limit (e.g. 512m)' -r
complete -c berth -n "__fish_berth_using_subcommand container; and __fish_seen_subcommand_from create" -l memory-swap -d 'Memory plus swap limit; -1 for unlimited swap' -r
complete -c berth -n "__fish_berth_using_subcommand container; and __fish_seen_subcommand_from create" -l cpus -d 'Number of CPUs' -r
complete -c berth -n "__fish_berth_using_subcommand container; and __fish_seen_subcommand_from create" -s c -l cpu-shares -d 'CPU shares (relative weight)' -r
complete -c berth -n "__fish_berth_using_subcommand container; and __fish_seen_subcommand_from create" -l cpu-quota -d 'CPU CFS quota (microseconds)' -r
complete -c berth -n "__fish_berth_using_subcommand container; and __fish_seen_subcommand_from create" -l cpu-period -d 'CPU CFS period (microseconds)' -r
complete -c berth -n "__fish_berth_using_subcommand container; and __fish_seen_subcommand_from create" -l cpuset-cpus -d 'CPUs in which to allow execution (0-3, 0,1)' -r
complete -c berth -n "__fish_berth_using_subcommand container; and __fish_seen_subcommand_from create" -l cpuset-mems -d 'MEMs in which to allow execution (0-3, 0,1)' -r
complete -c berth -n "__fish_berth_using_subcommand container; and __fish_seen_subcommand_from create" -l memory-reservation -d 'Memory soft limit' -r
complete -c berth -n "__fish_berth_using_subcommand container; and __fish_seen_subcommand_from create" -l pids-limit -d 'Tune container pids limit (-1 for unlimited)' -r
complete -c berth -n "__fish_berth_using_subcommand container; and __fish_seen_subcommand_from create" -l blkio-weight -d 'Block IO weight (10-1000)' -r
complete -c berth -n "__fish_berth_using_subcommand container; and __fish_seen_subcommand_from create" -l stop-signal -d 'Signal to stop the container' -r
complete -c berth -n "__fish_berth_using_subcommand container; and __fish_seen_subcommand_from create" -l stop-timeout -d 'Timeout (in seconds) to stop a container' -r
complete -c berth -n "__fish_berth_using_subcommand container; and __fish_seen_subcommand_from create" -l log-driver -d 'Logging driver for the container (json-file, local, none)' -r
complete -c berth -n "__fish_berth_using_subcommand container; and __fish_seen_subcommand_from create" -l log-opt -d 'Log driver options (max-size=10m, max-file=3, compress=true, labels, env, tag)' -r
complete -c berth -n "__fish_berth_using_subcommand container; and __fish_seen_subcommand_from create" -l platform -d 'Set platform if the image is multi-platform' -r
complete -c berth -n "__fish_berth_using_subcommand container; and __fish_seen_subcommand_from create" -l device -d 'Add a host device to the container (HOST[:CONTAINER][:PERMS])' -r
complete -c berth -n "__fish_berth_using_subcommand container; and __fish_seen_subcommand_from create" -l device-cgroup-rule -d 'Add a rule to the cgroup allowed devices list (\'c 1:3 rwm\')' -r
complete -c berth -n "__fish_berth_using_subcommand container; and __fish_seen_subcommand_from create" -l gpus -d 'GPU devices to add to the container (needs the NVIDIA container toolkit: refused)' -r
complete -c berth -n "__fish_berth_using_subcommand container; and __fish_seen_subcommand_from create" -l shm-size -d 'Size of /dev/shm (e.g. 128m)' -r
complete -c berth -n "__fish_berth_using_subcommand container; and __fish_seen_subcommand_from create" -l ipc -d 'IPC mode: private, shareable, none, host, container:NAME' -r
complete -c berth -n "__fish_berth_using_subcommand container; and __fish_seen_subcommand_from create" -l pid -d 'PID namespace: host, container:NAME' -r
complete -c berth -n "__fish_berth_using_subcommand container; and __fish_seen_subcommand_from create" -l uts -d 'UTS namespace: host' -r
complete -c berth -n "__fish_berth_using_subcommand container; and __fish_seen_subcommand_from create" -l cgroupns -d 'Cgroup namespace: host, private' -r
complete -c berth -n "__fish_berth_using_subcommand container; and __fish_seen_subcommand_from create" -l group-add -d 'Add additional groups to join' -r
complete -c berth -n "__fish_berth_using_subcommand container; and __fish_seen_subcommand_from create" -l cgroup-parent -d 'Optional parent cgroup for the container' -r
complete -c berth -n "__fish_berth_using_subcommand container; and __fish_seen_subcommand_from create" -l domainname -d 'Container NIS domain name' -r
complete -c berth -n "__fish_berth_using_subcommand container; and __fish_seen_subcommand_from create" -l oom-score-adj -d 'Tune host\'s OOM preferences (-1000 to 1000)' -r
complete -c berth -n "__fish_berth_using_subcommand container; and __fish_seen_subcommand_from create" -l health-cmd -d 'Command to run to check health' -r
complete -c berth -n "__fish_berth_using_subcommand container; and __fish_seen_subcommand_from create" -l health-interval -d 'Time between running the check (ms|s|m|h) (default 0s)' -r
complete -c berth -n "__fish_berth_using_subcommand container; and __fish_seen_subcommand_from create" -l health-retries -d 'Consecutive failures needed to report unhealthy' -r
complete -c berth -n "__fish_berth_using_subcommand container; and __fish_seen_subcommand_from create" -l health-start-interval -d 'Time between running the check during the start period (ms|s|m|h) (default 0s)' -r
complete -c berth -n "__fish_berth_using_subcommand container; and __fish_seen_subcommand_from create" -l health-start-period -d 'Start period for the container to initialize before starting health-retries countdown (ms|s|m|h) (default 0s)' -r
complete -c berth -n "__fish_berth_using_subcommand container; and __fish_seen_subcommand_from create" -l health-timeout -d 'Maximum time to allow one check to run (ms|s|m|h) (default 0s)' -r
complete -c berth -n "__fish_berth_using_subcommand container; and __fish_seen_subcommand_from create" -l cidfile -d 'Write the container ID to the file' -r -F
complete -c berth -n "__fish_berth_using_subcommand container; and __fish_seen_subcommand_from create" -l label-file -d 'Read in a line delimited file of labels' -r -F
complete -c berth -n "__fish_berth_using_subcommand container; and __fish_seen_subcommand_from create" -s a -l attach -d 'Attach to STDIN, STDOUT or STDERR' -r -f -a "stdin\t''
stdout\t''
stderr\t''"
complete -c berth -n "__fish_berth_using_subcommand container; and __fish_seen_subcommand_from create" -l detach-keys -d 'Override the key sequence for detaching a container' -r
complete -c berth -n "__fish_berth_using_subcommand container; and __fish_seen_subcommand_from create" -l root -d 'Directory for persistent data (images, layers, state database)' -r -F
complete -c berth -n "__fish_berth_using_subcommand container; and __fish_seen_subcommand_from create" -l runroot -d 'Directory for volatile state (mounts, sockets)' -r -F
complete -c berth -n "__fish_berth_using_subcommand container; and __fish_seen_subcommand_from create" -l log-level -d 'Log level for diagnostics on stderr' -r -f -a "trace\t''
debug\t''
info\t''
warn\t''
error\t''"
complete -c berth -n "__fish_berth_using_subcommand container; and __fish_seen_subcommand_from create" -l help -d 'Print help'
complete -c berth -n "__fish_berth_using_subcommand container; and __fish_seen_subcommand_from create" -s i -l interactive -d 'Keep STDIN open'
complete -c berth -n "__fish_berth_using_subcommand container; and __fish_seen_subcommand_from create" -s t -l tty -d 'Allocate a pseudo-TTY'
complete -c berth -n "__fish_berth_using_subcommand container; and __fish_seen_subcommand_from create" -l rm -d 'Automatically remove the container when it exits'
complete -c berth -n "__fish_berth_using_subcommand container; and __fish_seen_subcommand_from create" -s P -l publish-all -d 'Publish all exposed ports to random ports'
complete -c berth -n "__fish_berth_using_subcommand container; and __fish_seen_subcommand_from create" -l privileged -d 'Give extended privileges to this container'
complete -c berth -n "__fish_berth_using_subcommand container; and __fish_seen_subcommand_from create" -l read-only -d 'Mount the container\'s root filesystem as read only'
complete -c berth -n "__fish_berth_using_subcommand container; and __fish_seen_subcommand_from create" -l init -d 'Run an init inside the container that forwards signals and reaps processes'
complete -c berth -n "__fish_berth_using_subcommand container; and __fish_seen_subcommand_from create" -l oom-kill-disable -d 'Disable OOM Killer'
complete -c berth -n "__fish_berth_using_subcommand container; and __fish_seen_subcommand_from create" -l no-healthcheck -d 'Disable any container-specified HEALTHCHECK'
complete -c berth -n "__fish_berth_using_subcommand container; and __fish_seen_subcommand_from create" -l replace -d 'If a container with the same name exists, replace it (podman)'
complete -c berth -n "__fish_berth_using_subcommand container; and __fish_seen_subcommand_from create" -s V -l version -d 'Print version'
complete -c berth -n "__fish_berth_using_subcommand container; and __fish_seen_subcommand_from start" -l detach-keys -d 'Override the key sequence for detaching a container' -r
complete -c berth -n "__fish_berth_using_subcommand container; and __fish_seen_subcommand_from start" -l root -d 'Directory for persistent data (images, layers, state database)' -r -F
complete -c berth -n "__fish_berth_using_subcommand container; and __fish_seen_subcommand_from start" -l runroot -d 'Directory for volatile state (mounts, sockets)' -r -F
complete -c berth -n "__fish_berth_using_subcommand container; and __fish_seen_subcommand_from start" -l log-level -d 'Log level for diagnostics on stderr' -r -f -a "trace\t''
debug\t''
info\t''
warn\t''
error\t''"
complete -c berth -n "__fish_berth_using_subcommand container; and __fish_seen_subcommand_from start" -l all -d 'Start every stopped container whose restart policy is always, or unless-stopped and not stopped by the user (run this at boot; see README)'
complete -c berth -n "__fish_berth_using_subcommand container; and __fish_seen_subcommand_from start" -s a -l attach -d 'Attach STDOUT/STDERR and forward signals'
complete -c berth -n "__fish_berth_using_subcommand container; and __fish_seen_subcommand_from start" -s i -l interactive -d 'Attach container\'s STDIN'
complete -c berth -n "__fish_berth_using_subcommand container; and __fish_seen_subcommand_from start" -s h -l help -d 'Print help'
complete -c berth -n "__fish_berth_using_subcommand container; and __fish_seen_subcommand_from start" -s V -l version -d 'Print version'
complete -c berth -n "__fish_berth_using_subcommand container; and __fish_seen_subcommand_from stop" -s s -l signal -d 'Signal to send to the container' -r
complete -c berth -n "__fish_berth_using_subcommand container; and __fish_seen_subcommand_from stop" -s t -l timeout -l time -d 'Seconds to wait before killing the container' -r
complete -c berth -n "__fish_berth_using_subcommand container; and __fish_seen_subcommand_from stop" -l root -d 'Directory for persistent data (images, layers, state database)' -r -F
complete -c berth -n "__fish_berth_using_subcommand container; and __fish_seen_subcommand_from stop" -l runroot -d 'Directory for volatile state (mounts, sockets)' -r -F
complete -c berth -n "__fish_berth_using_subcommand container; and __fish_seen_subcommand_from stop" -l log-level -d 'Log level for diagnostics on stderr' -r -f -a "trace\t''
debug\t''
info\t''
warn\t''
error\t''"
complete -c berth -n "__fish_berth_using_subcommand container; and __fish_seen_subcommand_from stop" -s a -l all -d 'Act on all containers (those the command applies to)'
complete -c berth -n "__fish_berth_using_subcommand container; and __fish_seen_subcommand_from stop" -s i -l ignore -d 'Ignore errors when a specified container is missing'
complete -c berth -n "__fish_berth_using_subcommand container; and __fish_seen_subcommand_from stop" -s h -l help -d 'Print help'
complete -c berth -n "__fish_berth_using_subcommand container; and __fish_seen_subcommand_from stop" -s V -l version -d 'Print version'
complete -c berth -n "__fish_berth_using_subcommand container; and __fish_seen_subcommand_from restart" -s s -l signal -d 'Signal to send to the container' -r
complete -c berth -n "__fish_berth_using_subcommand container; and __fish_seen_subcommand_from restart" -s t -l timeout -l time -d 'Seconds to wait before killing the container' -r
complete -c berth -n "__fish_berth_using_subcommand container; and __fish_seen_subcommand_from restart" -l root -d 'Directory for persistent data (images, layers, state database)' -r -F
complete -c berth -n "__fish_berth_using_subcommand container; and __fish_seen_subcommand_from restart" -l runroot -d 'Directory for volatile state (mounts, sockets)' -r -F
complete -c berth -n "__fish_berth_using_subcommand container; and __fish_seen_subcommand_from restart" -l log-level -d 'Log level for diagnostics on stderr' -r -f -a "trace\t''
debug\t''
info\t''
warn\t''
error\t''"
complete -c berth -n "__fish_berth_using_subcommand container; and __fish_seen_subcommand_from restart" -s a -l all -d 'Act on all containers (those the command applies to)'
complete -c berth -n "__fish_berth_using_subcommand container; and __fish_seen_subcommand_from restart" -s i -l ignore -d 'Ignore errors when a specified container is missing'
complete -c berth -n "__fish_berth_using_subcommand container; and __fish_seen_subcommand_from restart" -s h -l help -d 'Print help'
complete -c berth -n "__fish_berth_using_subcommand container; and __fish_seen_subcommand_from restart" -s V -l version -d 'Print version'
complete -c berth -n "__fish_berth_using_subcommand container; and __fish_seen_subcommand_from kill" -s s -l signal -d 'Signal to send to the container' -r
complete -c berth -n "__fish_berth_using_subcommand container; and __fish_seen_subcommand_from kill" -l root -d 'Directory for persistent data (images, layers, state database)' -r -F
complete -c berth -n "__fish_berth_using_subcommand container; and __fish_seen_subcommand_from kill" -l runroot -d 'Directory for volatile state (mounts, sockets)' -r -F
complete -c berth -n "__fish_berth_using_subcommand container; and __fish_seen_subcommand_from kill" -l log-level -d 'Log level for diagnostics on stderr' -r -f -a "trace\t''
debug\t''
info\t''
warn\t''
error\t''"
complete -c berth -n "__fish_berth_using_subcommand container; and __fish_seen_subcommand_from kill" -s a -l all -d 'Act on all containers (those the command applies to)'
complete -c berth -n "__fish_berth_using_subcommand container; and __fish_seen_subcommand_from kill" -s i -l ignore -d 'Ignore errors when a specified container is missing'
complete -c berth -n "__fish_berth_using_subcommand container; and __fish_seen_subcommand_from kill" -s h -l help -d 'Print help'
complete -c berth -n "__fish_berth_using_subcommand container; and __fish_seen_subcommand_from kill" -s V -l version -d 'Print version'
complete -c berth -n "__fish_berth_using_subcommand container; and __fish_seen_subcommand_from rm" -s t -l time -d 'Seconds to wait for a running container to stop before killing it (implies --force)' -r
complete -c berth -n "__fish_berth_using_subcommand container; and __fish_seen_subcommand_from rm" -l root -d 'Directory for persistent data (images, layers, state database)' -r -F
complete -c berth -n "__fish_berth_using_subcommand container; and __fish_seen_subcommand_from rm" -l runroot -d 'Directory for volatile state (mounts, sockets)' -r -F
complete -c berth -n "__fish_berth_using_subcommand container; and __fish_seen_subcommand_from rm" -l log-level -d 'Log level for diagnostics on stderr' -r -f -a "trace\t''
debug\t''
info\t''
warn\t''
error\t''"
complete -c berth -n "__fish_berth_using_subcommand container; and __fish_seen_subcommand_from rm" -s f -l force -d 'Force the removal of a running container (uses SIGKILL)'
complete -c berth -n "__fish_berth_using_subcommand container; and __fish_seen_subcommand_from rm" -s v -l volumes -d 'Remove anonymous volumes associated with the container'
complete -c berth -n "__fish_berth_using_subcommand container; and __fish_seen_subcommand_from rm" -s l -l link -d 'Remove the specified link (/LINKER/ALIAS), not the container'
complete -c berth -n "__fish_berth_using_subcommand container; and __fish_seen_subcommand_from rm" -s a -l all -d 'Act on all containers (those the command applies to)'
complete -c berth -n "__fish_berth_using_subcommand container; and __fish_seen_subcommand_from rm" -s i -l ignore -d 'Ignore errors when a specified container is missing'
complete -c berth -n "__fish_berth_using_subcommand container; and __fish_seen_subcommand_from rm" -s h -l help -d 'Print help'
complete -c berth -n "__fish_berth_using_subcommand container; and __fish_seen_subcommand_from rm" -s V -l version -d 'Print version'
complete -c berth -n "__fish_berth_using_subcommand container; and __fish_seen_subcommand_from remove" -s t -l time -d 'Seconds to wait for a running container to stop before killing it (implies --force)' -r
complete -c berth -n "__fish_berth_using_subcommand container; and __fish_seen_subcommand_from remove" -l root -d 'Directory for persistent data (images, layers, state database)' -r -F
complete -c berth -n "__fish_berth_using_subcommand container; and __fish_seen_subcommand_from remove" -l runroot -d 'Directory for volatile state (mounts, sockets)' -r -F
complete -c berth -n "__fish_berth_using_subcommand container; and __fish_seen_subcommand_from remove" -l log-level -d 'Log level for diagnostics on stderr' -r -f -a "trace\t''
debug\t''
info\t''
warn\t''
error\t''"
complete -c berth -n "__fish_berth_using_subcommand container; and __fish_seen_subcommand_from remove" -s f -l force -d 'Force the removal of a running container (uses SIGKILL)'
complete -c berth -n "__fish_berth_using_subcommand container; and __fish_seen_subcommand_from remove" -s v -l volumes -d 'Remove anonymous volumes associated with the container'
complete -c berth -n "__fish_berth_using_subcommand container; and __fish_seen_subcommand_from remove" -s l -l link -d 'Remove the specified link (/LINKER/ALIAS), not the container'
complete -c berth -n "__fish_berth_using_subcommand container; and __fish_seen_subcommand_from remove" -s a -l all -d 'Act on all containers (those the command applies to)'
complete -c berth -n "__fish_berth_using_subcommand container; and __fish_seen_subcommand_from remove" -s i -l ignore -d 'Ignore errors when a specified container is missing'
complete -c berth -n "__fish_berth_using_subcommand container; and __fish_seen_subcommand_from remove" -s h -l help -d 'Print help'
complete -c berth -n "__fish_berth_using_subcommand container; and __fish_seen_subcommand_from remove" -s V -l version -d 'Print version'
complete -c berth -n "__fish_berth_using_subcommand container; and __fish_seen_subcommand_from ls" -s n -l last -d 'Show n last created containers (includes all states)' -r
complete -c berth -n "__fish_berth_using_subcommand container; and __fish_seen_subcommand_from ls" -s f -l filter -d 'Filter output (Docker\'s: ancestor, before, exited, expose, health, id, is-task, label, name (a regular expression), network, publish, since, status, volume)' -r
complete -c berth -n "__fish_berth_using_subcommand container; and __fish_seen_subcommand_from ls" -l format -d 'Output format: table, json, or a Go template' -r
complete -c berth -n "__fish_berth_using_subcommand container; and __fish_seen_subcommand_from ls" -l sort -d 'Sort by created, id, image, names, runningfor or status (podman\'s; default: newest first)' -r -f -a "created\t''
id\t''
image\t''
names\t''
runningfor\t''
status\t''"
complete -c berth -n "__fish_berth_using_subcommand container; and __fish_seen_subcommand_from ls" -l root -d 'Directory for persistent data (images, layers, state database)' -r -F
complete -c berth -n "__fish_berth_using_subcommand container; and __fish_seen_subcommand_from ls" -l runroot -d 'Directory for volatile state (mounts, sockets)' -r -F
complete -c berth -n "__fish_berth_using_subcommand container; and __fish_seen_subcommand_from ls" -l log-level -d 'Log level for diagnostics on stderr' -r -f -a "trace\t''
debug\t''
info\t''
warn\t''
error\t''"
complete -c berth -n "__fish_berth_using_subcommand container; and __fish_seen_subcommand_from ls" -s a -l all -d 'Show all containers (default shows just running)'
complete -c berth -n "__fish_berth_using_subcommand container; and __fish_seen_subcommand_from ls" -s q -l quiet -d 'Only display container IDs'
complete -c berth -n "__fish_berth_using_subcommand container; and __fish_seen_subcommand_from ls" -s l -l latest -d 'Show the latest created container (includes all states)'
complete -c berth -n "__fish_berth_using_subcommand container; and __fish_seen_subcommand_from ls" -l no-trunc -d 'Don\'t truncate output'
complete -c berth -n "__fish_berth_using_subcommand container; and __fish_seen_subcommand_from ls" -s s -l size -d 'Display total file sizes'
complete -c berth -n "__fish_berth_using_subcommand container; and __fish_seen_subcommand_from ls" -l no-heading -d 'Print no header row (podman\'s spelling)'
complete -c berth -n "__fish_berth_using_subcommand container; and __fish_seen_subcommand_from ls" -s h -l help -d 'Print help'
complete -c berth -n "__fish_berth_using_subcommand container; and __fish_seen_subcommand_from ls" -s V -l version -d 'Print version'
complete -c berth -n "__fish_berth_using_subcommand container; and __fish_seen_subcommand_from list" -s n -l last -d 'Show n last created containers (includes all states)' -r
complete -c berth -n "__fish_berth_using_subcommand container; and __fish_seen_subcommand_from list" -s f -l filter -d 'Filter output (Docker\'s: ancestor, before, exited, expose, health, id, is-task, label, name (a regular expression), network, publish, since, status, volume)' -r
complete -c berth -n "__fish_berth_using_subcommand container; and __fish_seen_subcommand_from list" -l format -d 'Output format: table, json, or a Go template' -r
complete -c berth -n "__fish_berth_using_subcommand container; and __fish_seen_subcommand_from list" -l sort -d 'Sort by created, id, image, names, runningfor or status (podman\'s; default: newest first)' -r -f -a "created\t''
id\t''
image\t''
names\t''
runningfor\t''
status\t''"
complete -c berth -n "__fish_berth_using_subcommand container; and __fish_seen_subcommand_from list" -l root -d 'Directory for persistent data (images, layers, state database)' -r -F
complete -c berth -n "__fish_berth_using_subcommand container; and __fish_seen_subcommand_from list" -l runroot -d 'Directory for volatile state (mounts, sockets)' -r -F
complete -c berth -n "__fish_berth_using_subcommand container; and __fish_seen_subcommand_from list" -l log-level -d 'Log level for diagnostics on stderr' -r -f -a "trace\t''
debug\t''
info\t''
warn\t''
error\t''"
complete -c berth -n "__fish_berth_using_subcommand container; and __fish_seen_subcommand_from list" -s a -l all -d 'Show all containers (default shows just running)'
complete -c berth -n "__fish_berth_using_subcommand container; and __fish_seen_subcommand_from list" -s q -l quiet -d 'Only display container IDs'
complete -c berth -n "__fish_berth_using_subcommand container; and __fish_seen_subcommand_from list" -s l -l latest -d 'Show the latest created container (includes all states)'
complete -c berth -n "__fish_berth_using_subcommand container; and __fish_seen_subcommand_from list" -l no-trunc -d 'Don\'t truncate output'
complete -c berth -n "__fish_berth_using_subcommand container; and __fish_seen_subcommand_from list" -s s -l size -d 'Display total file sizes'
complete -c berth -n "__fish_berth_using_subcommand container; and __fish_seen_subcommand_from list" -l no-heading -d 'Print no header row (podman\'s spelling)'
complete -c berth -n "__fish_berth_using_subcommand container; and __fish_seen_subcommand_from list" -s h -l help -d 'Print help'
complete -c berth -n "__fish_berth_using_subcommand container; and __fish_seen_subcommand_from list" -s V -l version -d 'Print version'
complete -c berth -n "__fish_berth_using_subcommand container; and __fish_seen_subcommand_from ps" -s n -l last -d 'Show n last created containers (includes all states)' -r
complete -c berth -n "__fish_berth_using_subcommand container; and __fish_seen_subcommand_from ps" -s f -l filter -d 'Filter output (Docker\'s: ancestor, before, exited, expose, health, id, is-task, label, name (a regular expression), network, publish, since, status, volume)' -r
complete -c berth -n "__fish_berth_using_subcommand container; and __fish_seen_subcommand_from ps" -l format -d 'Output format: table, json, or a Go template' -r
complete -c berth -n "__fish_berth_using_subcommand container; and __fish_seen_subcommand_from ps" -l sort -d 'Sort by created, id, image, names, runningfor or status (podman\'s; default: newest first)' -r -f -a "created\t''
id\t''
image\t''
names\t''
runningfor\t''
status\t''"
complete -c berth -n "__fish_berth_using_subcommand container; and __fish_seen_subcommand_from ps" -l root -d 'Directory for persistent data (images, layers, state database)' -r -F
complete -c berth -n "__fish_berth_using_subcommand container; and __fish_seen_subcommand_from ps" -l runroot -d 'Directory for volatile state (mounts, sockets)' -r -F
complete -c berth -n "__fish_berth_using_subcommand container; and __fish_seen_subcommand_from ps" -l log-level -d 'Log level for diagnostics on stderr' -r -f -a "trace\t''
debug\t''
info\t''
warn\t''
error\t''"
complete -c berth -n "__fish_berth_using_subcommand container; and __fish_seen_subcommand_from ps" -s a -l all -d 'Show all containers (default shows just running)'
complete -c berth -n "__fish_berth_using_subcommand container; and __fish_seen_subcommand_from ps" -s q -l quiet -d 'Only display container IDs'
complete -c berth -n "__fish_berth_using_subcommand container; and __fish_seen_subcommand_from ps" -s l -l latest -d 'Show the latest created container (includes all states)'
complete -c berth -n "__fish_berth_using_subcommand container; and __fish_seen_subcommand_from ps" -l no-trunc -d 'Don\'t truncate output'
complete -c berth -n "__fish_berth_using_subcommand container; and __fish_seen_subcommand_from ps" -s s -l size -d 'Display total file sizes'
complete -c berth -n "__fish_berth_using_subcommand container; and __fish_seen_subcommand_from ps" -l no-heading -d 'Print no header row (podman\'s spelling)'
complete -c berth -n "__fish_berth_using_subcommand container; and __fish_seen_subcommand_from ps" -s h -l help -d 'Print help'
complete -c berth -n "__fish_berth_using_subcommand container; and __fish_seen_subcommand_from ps" -s V -l version -d 'Print version'
complete -c berth -n "__fish_berth_using_subcommand container; and __fish_seen_subcommand_from logs" -s n -l tail -d 'Number of lines to show from the end of the logs ("all")' -r
complete -c berth -n "__fish_berth_using_subcommand container; and __fish_seen_subcommand_from logs" -l since -d 'Show logs since timestamp (e.g. "2013-01-02T13:23:37Z") or relative (e.g. "42m" for 42 minutes)' -r
complete -c berth -n "__fish_berth_using_subcommand container; and __fish_seen_subcommand_from logs" -l until -d 'Show logs before a timestamp (e.g. "2013-01-02T13:23:37Z") or relative (e.g. "42m" for 42 minutes)' -r
complete -c berth -n "__fish_berth_using_subcommand container; and __fish_seen_subcommand_from logs" -l root -d 'Directory for persistent data (images, layers, state database)' -r -F
complete -c berth -n "__fish_berth_using_subcommand container; and __fish_seen_subcommand_from logs" -l runroot -d 'Directory for volatile state (mounts, sockets)' -r -F
complete -c berth -n "__fish_berth_using_subcommand container; and __fish_seen_subcommand_from logs" -l log-level -d 'Log level for diagnostics on stderr' -r -f -a "trace\t''
debug\t''
info\t''
warn\t''
error\t''"
complete -c berth -n "__fish_berth_using_subcommand container; and __fish_seen_subcommand_from logs" -s f -l follow -d 'Follow log output'
complete -c berth -n "__fish_berth_using_subcommand container; and __fish_seen_subcommand_from logs" -s t -l timestamps -d 'Show timestamps'
complete -c berth -n "__fish_berth_using_subcommand container; and __fish_seen_subcommand_from logs" -l details -d 'Show extra details provided to logs'
complete -c berth -n "__fish_berth_using_subcommand container; and __fish_seen_subcommand_from logs" -s h -l help -d 'Print help'
complete -c berth -n "__fish_berth_using_subcommand container; and __fish_seen_subcommand_from logs" -s V -l version -d 'Print version'
complete -c berth -n "__fish_berth_using_subcommand container; and __fish_seen_subcommand_from wait" -l root -d 'Directory for persistent data (images, layers, state database)' -r -F
complete -c berth -n "__fish_berth_using_subcommand container; and __fish_seen_subcommand_from wait" -l runroot -d 'Directory for volatile state (mounts, sockets)' -r -F
complete -c berth -n "__fish_berth_using_subcommand container; and __fish_seen_subcommand_from wait" -l log-level -d 'Log level for diagnostics on stderr' -r -f -a "trace\t''
debug\t''
info\t''
warn\t''
error\t''"
complete -c berth -n "__fish_berth_using_subcommand container; and __fish_seen_subcommand_from wait" -s h -l help -d 'Print help'
complete -c berth -n "__fish_berth_using_subcommand container; and __fish_seen_subcommand_from wait" -s V -l version -d 'Print version'
complete -c berth -n "__fish_berth_using_subcommand container; and __fish_seen_subcommand_from rename" -l root -d 'Directory for persistent data (images, layers, state database)' -r -F
complete -c berth -n "__fish_berth_using_subcommand container; and __fish_seen_subcommand_from rename" -l runroot -d 'Directory for volatile state (mounts, sockets)' -r -F
complete -c berth -n "__fish_berth_using_subcommand container; and __fish_seen_subcommand_from rename" -l log-level -d 'Log level for diagnostics on stderr' -r -f -a "trace\t''
debug\t''
info\t''
warn\t''
error\t''"
complete -c berth -n "__fish_berth_using_subcommand container; and __fish_seen_subcommand_from rename" -s h -l help -d 'Print help'
complete -c berth -n "__fish_berth_using_subcommand container; and __fish_seen_subcommand_from rename" -s V -l version -d 'Print version'
complete -c berth -n "__fish_berth_using_subcommand container; and __fish_seen_subcommand_from prune" -l filter -d 'Provide filter values (label=KEY[=VALUE], label!=KEY[=VALUE], until=TIME)' -r
complete -c berth -n "__fish_berth_using_subcommand container; and __fish_seen_subcommand_from prune" -l root -d 'Directory for persistent data (images, layers, state database)' -r -F
complete -c berth -n "__fish_berth_using_subcommand container; and __fish_seen_subcommand_from prune" -l runroot -d 'Directory for volatile state (mounts, sockets)' -r -F
complete -c berth -n "__fish_berth_using_subcommand container; and __fish_seen_subcommand_from prune" -l log-level -d 'Log level for diagnostics on stderr' -r -f -a "trace\t''
debug\t''
info\t''
warn\t''
error\t''"
complete -c berth -n "__fish_berth_using_subcommand container; and __fish_seen_subcommand_from prune" -s f -l force -d 'Do not prompt for confirmation'
complete -c berth -n "__fish_berth_using_subcommand container; and __fish_seen_subcommand_from prune" -s h -l help -d 'Print help'
complete -c berth -n "__fish_berth_using_subcommand container; and __fish_seen_subcommand_from prune" -s V -l version -d 'Print version'
complete -c berth -n "__fish_berth_using_subcommand container; and __fish_seen_subcommand_from exec" -s e -l env -d 'Set environment variables (KEY=VALUE, or KEY to take the host\'s value)' -r
complete -c berth -n "__fish_berth_using_subcommand container; and __fish_seen_subcommand_from exec" -l env-file -d 'Read environment variables from a file' -r -F
complete -c berth -n "__fish_berth_using_subcommand container; and __fish_seen_subcommand_from exec" -s u -l user -d 'Username or UID (format: <name|uid>[:<group|gid>])' -r
complete -c berth -n "__fish_berth_using_subcommand container; and __fish_seen_subcommand_from exec" -s w -l workdir -d 'Working directory inside the container' -r
complete -c berth -n "__fish_berth_using_subcommand container; and __fish_seen_subcommand_from exec" -l root -d 'Directory for persistent data (images, layers, state database)' -r -F
complete -c berth -n "__fish_berth_using_subcommand container; and __fish_seen_subcommand_from exec" -l runroot -d 'Directory for volatile state (mounts, sockets)' -r -F
complete -c berth -n "__fish_berth_using_subcommand container; and __fish_seen_subcommand_from exec" -l log-level -d 'Log level for diagnostics on stderr' -r -f -a "trace\t''
debug\t''
info\t''
warn\t''
error\t''"
complete -c berth -n "__fish_berth_using_subcommand container; and __fish_seen_subcommand_from exec" -s d -l detach -d 'Detached mode: run the command in the background'
complete -c berth -n "__fish_berth_using_subcommand container; and __fish_seen_subcommand_from exec" -s i -l interactive -d 'Keep STDIN open even if not attached'
complete -c berth -n "__fish_berth_using_subcommand container; and __fish_seen_subcommand_from exec" -s t -l tty -d 'Allocate a pseudo-TTY'
complete -c berth -n "__fish_berth_using_subcommand container; and __fish_seen_subcommand_from exec" -l privileged -d 'Give extended privileges to the command'
complete -c berth -n "__fish_berth_using_subcommand container; and __fish_seen_subcommand_from exec" -s h -l help -d 'Print help'
complete -c berth -n "__fish_berth_using_subcommand container; and __fish_seen_subcommand_from exec" -s V -l version -d 'Print version'
complete -c berth -n "__fish_berth_using_subcommand container; and __fish_seen_subcommand_from attach" -l sig-proxy -d 'Proxy all received signals to the process' -r -f -a "true\t''
false\t''"
complete -c berth -n "__fish_berth_using_subcommand container; and __fish_seen_subcommand_from attach" -l detach-keys -d 'Override the key sequence for detaching a container' -r
complete -c berth -n "__fish_berth_using_subcommand container; and __fish_seen_subcommand_from attach" -l root -d 'Directory for persistent data (images, layers, state database)' -r -F
complete -c berth -n "__fish_berth_using_subcommand container; and __fish_seen_subcommand_from attach" -l runroot -d 'Directory for volatile state (mounts, sockets)' -r -F
complete -c berth -n "__fish_berth_using_subcommand container; and __fish_seen_subcommand_from attach" -l log-level -d 'Log level for diagnostics on stderr' -r -f -a "trace\t''
debug\t''
info\t''
warn\t''
error\t''"
complete -c berth -n "__fish_berth_using_subcommand container; and __fish_seen_subcommand_from attach" -l no-stdin -d 'Do not attach STDIN'
complete -c berth -n "__fish_berth_using_subcommand container; and __fish_seen_subcommand_from attach" -s h -l help -d 'Print help'
complete -c berth -n "__fish_berth_using_subcommand container; and __fish_seen_subcommand_from attach" -s V -l version -d 'Print version'
complete -c berth -n "__fish_berth_using_subcommand container; and __fish_seen_subcommand_from top" -l root -d 'Directory for persistent data (images, layers, state database)' -r -F
complete -c berth -n "__fish_berth_using_subcommand container; and __fish_seen_subcommand_from top" -l runroot -d 'Directory for volatile state (mounts, sockets)' -r -F
complete -c berth -n "__fish_berth_using_subcommand container; and __fish_seen_subcommand_from top" -l log-level -d 'Log level for diagnostics on stderr' -r -f -a "trace\t''
debug\t''
info\t''
warn\t''
error\t''"
complete -c berth -n "__fish_berth_using_subcommand container; and __fish_seen_subcommand_from top" -s h -l help -d 'Print help'
complete -c berth -n "__fish_berth_using_subcommand container; and __fish_seen_subcommand_from top" -s V -l version -d 'Print version'
complete -c berth -n "__fish_berth_using_subcommand container; and __fish_seen_subcommand_from stats" -l format -d 'Format output using a custom template: \'table\', \'table TEMPLATE\', \'json\', or a Go template' -r
complete -c berth -n "__fish_berth_using_subcommand container; and __fish_seen_subcommand_from stats" -l root -d 'Directory for persistent data (images, layers, state database)' -r -F
complete -c berth -n "__fish_berth_using_subcommand container; and __fish_seen_subcommand_from stats" -l runroot -d 'Directory for volatile state (mounts, sockets)' -r -F
complete -c berth -n "__fish_berth_using_subcommand container; and __fish_seen_subcommand_from stats" -l log-level -d 'Log level for diagnostics on stderr' -r -f -a "trace\t''
debug\t''
info\t''
warn\t''
error\t''"
complete -c berth -n "__fish_berth_using_subcommand container; and __fish_seen_subcommand_from stats" -s a -l all -d 'Show all containers (default shows just running)'
complete -c berth -n "__fish_berth_using_subcommand container; and __fish_seen_subcommand_from stats" -l no-stream -d 'Disable streaming stats and only pull the first result'
complete -c berth -n "__fish_berth_using_subcommand container; and __fish_seen_subcommand_from stats" -l no-trunc -d 'Do not truncate output'
complete -c berth -n "__fish_berth_using_subcommand container; and __fish_seen_subcommand_from stats" -s h -l help -d 'Print help'
complete -c berth -n "__fish_berth_using_subcommand container; and __fish_seen_subcommand_from stats" -s V -l version -d 'Print version'
complete -c berth -n "__fish_berth_using_subcommand container; and __fish_seen_subcommand_from pause" -l root -d 'Directory for persistent data (images, layers, state database)' -r -F
complete -c berth -n "__fish_berth_using_subcommand container; and __fish_seen_subcommand_from pause" -l runroot -d 'Directory for volatile state (mounts, sockets)' -r -F
complete -c berth -n "__fish_berth_using_subcommand container; and __fish_seen_subcommand_from pause" -l log-level -d 'Log level for diagnostics on stderr' -r -f -a "trace\t''
debug\t''
info\t''
warn\t''
error\t''"
complete -c berth -n "__fish_berth_using_subcommand container; and __fish_seen_subcommand_from pause" -s a -l all -d 'Act on all containers (those the command applies to)'
complete -c berth -n "__fish_berth_using_subcommand container; and __fish_seen_subcommand_from pause" -s i -l ignore -d 'Ignore errors when a specified container is missing'
complete -c berth -n "__fish_berth_using_subcommand container; and __fish_seen_subcommand_from pause" -s h -l help -d 'Print help'
complete -c berth -n "__fish_berth_using_subcommand container; and __fish_seen_subcommand_from pause" -s V -l version -d 'Print version'
complete -c berth -n "__fish_berth_using_subcommand container; and __fish_seen_subcommand_from unpause" -l root -d 'Directory for persistent data (images, layers, state database)' -r -F
complete -c berth -n "__fish_berth_using_subcommand container; and __fish_seen_subcommand_from unpause" -l runroot -d 'Directory for volatile state (mounts, sockets)' -r -F
complete -c berth -n "__fish_berth_using_subcommand container; and __fish_seen_subcommand_from unpause" -l log-level -d 'Log level for diagnostics on stderr' -r -f -a "trace\t''
debug\t''
info\t''
warn\t''
error\t''"
complete -c berth -n "__fish_berth_using_subcommand container; and __fish_seen_subcommand_from unpause" -s a -l all -d 'Act on all containers (those the command applies to)'
complete -c berth -n "__fish_berth_using_subcommand container; and __fish_seen_subcommand_from unpause" -s i -l ignore -d 'Ignore errors when a specified container is missing'
complete -c berth -n "__fish_berth_using_subcommand container; and __fish_seen_subcommand_from unpause" -s h -l help -d 'Print help'
complete -c berth -n "__fish_berth_using_subcommand container; and __fish_seen_subcommand_from unpause" -s V -l version -d 'Print version'
complete -c berth -n "__fish_berth_using_subcommand container; and __fish_seen_subcommand_from inspect" -s f -l format -d 'Format the output with a Go template, or \'json\'' -r
complete -c berth -n "__fish_berth_using_subcommand container; and __fish_seen_subcommand_from inspect" -l type -d 'Only inspect objects of this type' -r -f -a "image\t''
container\t''
volume\t''
network\t''"
complete -c berth -n "__fish_berth_using_subcommand container; and __fish_seen_subcommand_from inspect" -l root -d 'Directory for persistent data (images, layers, state database)' -r -F
complete -c berth -n "__fish_berth_using_subcommand container; and __fish_seen_subcommand_from inspect" -l runroot -d 'Directory for volatile state (mounts, sockets)' -r -F
complete -c berth -n "__fish_berth_using_subcommand container; and __fish_seen_subcommand_from inspect" -l log-level -d 'Log level for diagnostics on stderr' -r -f -a "trace\t''
debug\t''
info\t''
warn\t''
error\t''"
complete -c berth -n "__fish_berth_using_subcommand container; and __fish_seen_subcommand_from inspect" -s h -l help -d 'Print help'
complete -c berth -n "__fish_berth_using_subcommand container; and __fish_seen_subcommand_from inspect" -s V -l version -d 'Print version'
complete -c berth -n "__fish_berth_using_subcommand container; and __fish_seen_subcommand_from exists" -l root -d 'Directory for persistent data (images, layers, state database)' -r -F
complete -c berth -n "__fish_berth_using_subcommand container; and __fish_seen_subcommand_from exists" -l runroot -d 'Directory for volatile state (mounts, sockets)' -r -F
complete -c berth -n "__fish_berth_using_subcommand container; and __fish_seen_subcommand_from exists" -l log-level -d 'Log level for diagnostics on stderr' -r -f -a "trace\t''
debug\t''
info\t''
warn\t''
error\t''"
complete -c berth -n "__fish_berth_using_subcommand container; and __fish_seen_subcommand_from exists" -s h -l help -d 'Print help'
complete -c berth -n "__fish_berth_using_subcommand container; and __fish_seen_subcommand_from exists" -s V -l version -d 'Print version'
complete -c berth -n "__fish_berth_using_subcommand container; and __fish_seen_subcommand_from cp" -l root -d 'Directory for persistent data (images, layers, state database)' -r -F
complete -c berth -n "__fish_berth_using_subcommand container; and __fish_seen_subcommand_from cp" -l runroot -d 'Directory for volatile state (mounts, sockets)' -r -F
complete -c berth -n "__fish_berth_using_subcommand container; and __fish_seen_subcommand_from cp" -l log-level -d 'Log level for diagnostics on stderr' -r -f -a "trace\t''
debug\t''
info\t''
warn\t''
error\t''"
complete -c berth -n "__fish_berth_using_subcommand container; and __fish_seen_subcommand_from cp" -s a -l archive -d 'Archive mode (copy all uid/gid information)'
complete -c berth -n "__fish_berth_using_subcommand container; and __fish_seen_subcommand_from cp" -s L -l follow-link -d 'Always follow symbol link in SRC_PATH'
complete -c berth -n "__fish_berth_using_subcommand container; and __fish_seen_subcommand_from cp" -s q -l quiet -d 'Suppress progress output during copy (berth prints none)'
complete -c berth -n "__fish_berth_using_subcommand container; and __fish_seen_subcommand_from cp" -s h -l help -d 'Print help'
complete -c berth -n "__fish_berth_using_subcommand container; and __fish_seen_subcommand_from cp" -s V -l version -d 'Print version'
complete -c berth -n "__fish_berth_using_subcommand container; and __fish_seen_subcommand_from export" -s o -l output -d 'Write to a file, instead of STDOUT' -r -F
complete -c berth -n "__fish_berth_using_subcommand container; and __fish_seen_subcommand_from export" -l root -d 'Directory for persistent data (images, layers, state database)' -r -F
complete -c berth -n "__fish_berth_using_subcommand container; and __fish_seen_subcommand_from export" -l runroot -d 'Directory for volatile state (mounts, sockets)' -r -F
complete -c berth -n "__fish_berth_using_subcommand container; and __fish_seen_subcommand_from export" -l log-level -d 'Log level for diagnostics on stderr' -r -f -a "trace\t''
debug\t''
info\t''
warn\t''
error\t''"
complete -c berth -n "__fish_berth_using_subcommand container; and __fish_seen_subcommand_from export" -s h -l help -d 'Print help'
complete -c berth -n "__fish_berth_using_subcommand container; and __fish_seen_subcommand_from export" -s V -l version -d 'Print version'
complete -c berth -n "__fish_berth_using_subcommand container; and __fish_seen_subcommand_from diff" -l root -d 'Directory for persistent data (images, layers, state database)' -r -F
complete -c berth -n "__fish_berth_using_subcommand container; and __fish_seen_subcommand_from diff" -l runroot -d 'Directory for volatile state (mounts, sockets)' -r -F
complete -c berth -n "__fish_berth_using_subcommand container; and __fish_seen_subcommand_from diff" -l log-level -d 'Log level for diagnostics on stderr' -r -f -a "trace\t''
debug\t''
info\t''
warn\t''
error\t''"
complete -c berth -n "__fish_berth_using_subcommand container; and __fish_seen_subcommand_from diff" -s h -l help -d 'Print help'
complete -c berth -n "__fish_berth_using_subcommand container; and __fish_seen_subcommand_from diff" -s V -l version -d 'Print version'
complete -c berth -n "__fish_berth_using_subcommand container; and __fish_seen_subcommand_from update" -l blkio-weight -d 'Block IO (relative weight), between 10 and 1000, or 0 to disable' -r
complete -c berth -n "__fish_berth_using_subcommand container; and __fish_seen_subcommand_from update" -l cpu-period -d 'Limit CPU CFS (Completely Fair Scheduler) period' -r
complete -c berth -n "__fish_berth_using_subcommand container; and __fish_seen_subcommand_from update" -l cpu-quota -d 'Limit CPU CFS (Completely Fair Scheduler) quota' -r
complete -c berth -n "__fish_berth_using_subcommand container; and __fish_seen_subcommand_from update" -s c -l cpu-shares -d 'CPU shares (relative weight)' -r
complete -c berth -n "__fish_berth_using_subcommand container; and __fish_seen_subcommand_from update" -l cpus -d 'Number of CPUs' -r
complete -c berth -n "__fish_berth_using_subcommand container; and __fish_seen_subcommand_from update" -l cpuset-cpus -d 'CPUs in which to allow execution (0-3, 0,1)' -r
complete -c berth -n "__fish_berth_using_subcommand container; and __fish_seen_subcommand_from update" -l cpuset-mems -d 'MEMs in which to allow execution (0-3, 0,1)' -r
complete -c berth -n "__fish_berth_using_subcommand container; and __fish_seen_subcommand_from update" -s m -l memory -d 'Memory limit' -r
complete -c berth -n "__fish_berth_using_subcommand container; and __fish_seen_subcommand_from update" -l memory-reservation -d 'Memory soft limit' -r
complete -c berth -n "__fish_berth_using_subcommand container; and __fish_seen_subcommand_from update" -l memory-swap -d 'Swap limit equal to memory plus swap: -1 to enable unlimited swap' -r
complete -c berth -n "__fish_berth_using_subcommand container; and __fish_seen_subcommand_from update" -l pids-limit -d 'Tune container pids limit (-1 for unlimited)' -r
complete -c berth -n "__fish_berth_using_subcommand container; and __fish_seen_subcommand_from update" -l restart -d 'Restart policy to apply when a container exits' -r
complete -c berth -n "__fish_berth_using_subcommand container; and __fish_seen_subcommand_from update" -l root -d 'Directory for persistent data (images, layers, state database)' -r -F
complete -c berth -n "__fish_berth_using_subcommand container; and __fish_seen_subcommand_from update" -l runroot -d 'Directory for volatile state (mounts, sockets)' -r -F
complete -c berth -n "__fish_berth_using_subcommand container; and __fish_seen_subcommand_from update" -l log-level -d 'Log level for diagnostics on stderr' -r -f -a "trace\t''
debug\t''
info\t''
warn\t''
error\t''"
complete -c berth -n "__fish_berth_using_subcommand container; and __fish_seen_subcommand_from update" -s h -l help -d 'Print help'
complete -c berth -n "__fish_berth_using_subcommand container; and __fish_seen_subcommand_from update" -s V -l version -d 'Print version'
complete -c berth -n "__fish_berth_using_subcommand container; and __fish_seen_subcommand_from port" -l root -d 'Directory for persistent data (images, layers, state database)' -r -F
complete -c berth -n "__fish_berth_using_subcommand container; and __fish_seen_subcommand_from port" -l runroot -d 'Directory for volatile state (mounts, sockets)' -r -F
complete -c berth -n "__fish_berth_using_subcommand container; and __fish_seen_subcommand_from port" -l log-level -d 'Log level for diagnostics on stderr' -r -f -a "trace\t''
debug\t''
info\t''
warn\t''
error\t''"
complete -c berth -n "__fish_berth_using_subcommand container; and __fish_seen_subcommand_from port" -s h -l help -d 'Print help'
complete -c berth -n "__fish_berth_using_subcommand container; and __fish_seen_subcommand_from port" -s V -l version -d 'Print version'
complete -c berth -n "__fish_berth_using_subcommand container; and __fish_seen_subcommand_from help" -f -a "run" -d 'Create and run a new container from an image'
complete -c berth -n "__fish_berth_using_subcommand container; and __fish_seen_subcommand_from help" -f -a "create" -d 'Create a new container'
complete -c berth -n "__fish_berth_using_subcommand container; and __fish_seen_subcommand_from help" -f -a "start" -d 'Start one or more stopped containers'
complete -c berth -n "__fish_berth_using_subcommand container; and __fish_seen_subcommand_from help" -f -a "stop" -d 'Stop one or more running containers'
complete -c berth -n "__fish_berth_using_subcommand container; and __fish_seen_subcommand_from help" -f -a "restart" -d 'Restart one or more containers'
complete -c berth -n "__fish_berth_using_subcommand container; and __fish_seen_subcommand_from help" -f -a "kill" -d 'Kill one or more running containers'
complete -c berth -n "__fish_berth_using_subcommand container; and __fish_seen_subcommand_from help" -f -a "rm" -d 'Remove one or more containers'
complete -c berth -n "__fish_berth_using_subcommand container; and __fish_seen_subcommand_from help" -f -a "ls" -d 'List containers'
complete -c berth -n "__fish_berth_using_subcommand container; and __fish_seen_subcommand_from help" -f -a "logs" -d 'Fetch the logs of a container'
complete -c berth -n "__fish_berth_using_subcommand container; and __fish_seen_subcommand_from help" -f -a "wait" -d 'Block until one or more containers stop, then print their exit codes'
complete -c berth -n "__fish_berth_using_subcommand container; and __fish_seen_subcommand_from help" -f -a "rename" -d 'Rename a container'
complete -c berth -n "__fish_berth_using_subcommand container; and __fish_seen_subcommand_from help" -f -a "prune" -d 'Remove all stopped containers'
complete -c berth -n "__fish_berth_using_subcommand container; and __fish_seen_subcommand_from help" -f -a "exec" -d 'Execute a command in a running container'
complete -c berth -n "__fish_berth_using_subcommand container; and __fish_seen_subcommand_from help" -f -a "attach" -d 'Attach local standard input, output, and error streams to a running container'
complete -c berth -n "__fish_berth_using_subcommand container; and __fish_seen_subcommand_from help" -f -a "top" -d 'Display the running processes of a container'
complete -c berth -n "__fish_berth_using_subcommand container; and __fish_seen_subcommand_from help" -f -a "stats" -d 'Display a live stream of container(s) resource usage statistics'
complete -c berth -n "__fish_berth_using_subcommand container; and __fish_seen_subcommand_from help" -f -a "pause" -d 'Pause all processes within one or more containers'
complete -c berth -n "__fish_berth_using_subcommand container; and __fish_seen_subcommand_from help" -f -a "unpause" -d 'Unpause all processes within one or more containers'
complete -c berth -n "__fish_berth_using_subcommand container; and __fish_seen_subcommand_from help" -f -a "inspect" -d 'Display detailed information on one or more containers'
complete -c berth -n "__fish_berth_using_subcommand container; and __fish_seen_subcommand_from help" -f -a "exists" -d 'Exit 0 if the container exists, 1 if not'
complete -c berth -n "__fish_berth_using_subcommand container; and __fish_seen_subcommand_from help" -f -a "cp" -d 'Copy files/folders between a container and the local filesystem'
complete -c berth -n "__fish_berth_using_subcommand container; and __fish_seen_subcommand_from help" -f -a "export" -d 'Export a container\'s filesystem as a tar archive'
complete -c berth -n "__fish_berth_using_subcommand container; and __fish_seen_subcommand_from help" -f -a "diff" -d 'Inspect changes to files or directories on a container\'s filesystem'
complete -c berth -n "__fish_berth_using_subcommand container; and __fish_seen_subcommand_from help" -f -a "update" -d 'Update configuration of one or more containers'
complete -c berth -n "__fish_berth_using_subcommand container; and __fish_seen_subcommand_from help" -f -a "port" -d 'List port mappings or a specific mapping for the container'
complete -c berth -n "__fish_berth_using_subcommand container; and __fish_seen_subcommand_from help" -f -a "help" -d 'Print this message or the help of the given subcommand(s)'
complete -c berth -n "__fish_berth_using_subcommand pull" -l platform -d 'Platform to pull from a multi-platform image (os/arch[/variant])' -r
complete -c berth -n "__fish_berth_using_subcommand pull" -l tls-verify -d 'Require HTTPS and verify certificates (false: allow plain HTTP and any certificate)' -r -f -a "true\t''
false\t''"
complete -c berth -n "__fish_berth_using_subcommand pull" -l root -d 'Directory for persistent data (images, layers, state database)' -r -F
complete -c berth -n "__fish_berth_using_subcommand pull" -l runroot -d 'Directory for volatile state (mounts, sockets)' -r -F
complete -c berth -n "__fish_berth_using_subcommand pull" -l log-level -d 'Log level for diagnostics on stderr' -r -f -a "trace\t''
debug\t''
info\t''
warn\t''
error\t''"
complete -c berth -n "__fish_berth_using_subcommand pull" -s q -l quiet -d 'Print only the image ID'
complete -c berth -n "__fish_berth_using_subcommand pull" -s h -l help -d 'Print help'
complete -c berth -n "__fish_berth_using_subcommand pull" -s V -l version -d 'Print version'
complete -c berth -n "__fish_berth_using_subcommand push" -l tls-verify -d 'Require HTTPS and verify certificates (false: allow plain HTTP and any certificate)' -r -f -a "true\t''
false\t''"
complete -c berth -n "__fish_berth_using_subcommand push" -l root -d 'Directory for persistent data (images, layers, state database)' -r -F
complete -c berth -n "__fish_berth_using_subcommand push" -l runroot -d 'Directory for volatile state (mounts, sockets)' -r -F
complete -c berth -n "__fish_berth_using_subcommand push" -l log-level -d 'Log level for diagnostics on stderr' -r -f -a "trace\t''
debug\t''
info\t''
warn\t''
error\t''"
complete -c berth -n "__fish_berth_using_subcommand push" -s a -l all-tags -d 'Push all tags of the repository'
complete -c berth -n "__fish_berth_using_subcommand push" -s q -l quiet -d 'Print only the pushed references'
complete -c berth -n "__fish_berth_using_subcommand push" -s h -l help -d 'Print help'
complete -c berth -n "__fish_berth_using_subcommand push" -s V -l version -d 'Print version'
complete -c berth -n "__fish_berth_using_subcommand images" -l format -d 'Output format: table, json, or a Go template such as \'{{.Repository}}:{{.Tag}}\'' -r
complete -c berth -n "__fish_berth_using_subcommand images" -s f -l filter -d 'Filter output (dangling=true|false, label=KEY[=VALUE], before=IMAGE, since=IMAGE, reference=PATTERN)' -r
complete -c berth -n "__fish_berth_using_subcommand images" -l root -d 'Directory for persistent data (images, layers, state database)' -r -F
complete -c berth -n "__fish_berth_using_subcommand images" -l runroot -d 'Directory for volatile state (mounts, sockets)' -r -F
complete -c berth -n "__fish_berth_using_subcommand images" -l log-level -d 'Log level for diagnostics on stderr' -r -f -a "trace\t''
debug\t''
info\t''
warn\t''
error\t''"
complete -c berth -n "__fish_berth_using_subcommand images" -s a -l all -d 'Show all images (by default, intermediate images are hidden)'
complete -c berth -n "__fish_berth_using_subcommand images" -s q -l quiet -d 'Only show image IDs'
complete -c berth -n "__fish_berth_using_subcommand images" -l digests -d 'Show digests'
complete -c berth -n "__fish_berth_using_subcommand images" -l no-trunc -d 'Don\'t truncate output'
complete -c berth -n "__fish_berth_using_subcommand images" -l no-heading -d 'Print no header row (podman\'s spelling)'
complete -c berth -n "__fish_berth_using_subcommand images" -s h -l help -d 'Print help'
complete -c berth -n "__fish_berth_using_subcommand images" -s V -l version -d 'Print version'
complete -c berth -n "__fish_berth_using_subcommand rmi" -l root -d 'Directory for persistent data (images, layers, state database)' -r -F
complete -c berth -n "__fish_berth_using_subcommand rmi" -l runroot -d 'Directory for volatile state (mounts, sockets)' -r -F
complete -c berth -n "__fish_berth_using_subcommand rmi" -l log-level -d 'Log level for diagnostics on stderr' -r -f -a "trace\t''
debug\t''
info\t''
warn\t''
error\t''"
complete -c berth -n "__fish_berth_using_subcommand rmi" -s f -l force -d 'Remove the image even if it is referenced by several repositories or mounted'
complete -c berth -n "__fish_berth_using_subcommand rmi" -s h -l help -d 'Print help'
complete -c berth -n "__fish_berth_using_subcommand rmi" -s V -l version -d 'Print version'
complete -c berth -n "__fish_berth_using_subcommand tag" -l root -d 'Directory for persistent data (images, layers, state database)' -r -F
complete -c berth -n "__fish_berth_using_subcommand tag" -l runroot -d 'Directory for volatile state (mounts, sockets)' -r -F
complete -c berth -n "__fish_berth_using_subcommand tag" -l log-level -d 'Log level for diagnostics on stderr' -r -f -a "trace\t''
debug\t''
info\t''
warn\t''
error\t''"
complete -c berth -n "__fish_berth_using_subcommand tag" -s h -l help -d 'Print help'
complete -c berth -n "__fish_berth_using_subcommand tag" -s V -l version -d 'Print version'
complete -c berth -n "__fish_berth_using_subcommand untag" -l root -d 'Directory for persistent data (images, layers, state database)' -r -F
complete -c berth -n "__fish_berth_using_subcommand untag" -l runroot -d 'Directory for volatile state (mounts, sockets)' -r -F
complete -c berth -n "__fish_berth_using_subcommand untag" -l log-level -d 'Log level for diagnostics on stderr' -r -f -a "trace\t''
debug\t''
info\t''
warn\t''
error\t''"
complete -c berth -n "__fish_berth_using_subcommand untag" -s h -l help -d 'Print help'
complete -c berth -n "__fish_berth_using_subcommand untag" -s V -l version -d 'Print version'
complete -c berth -n "__fish_berth_using_subcommand inspect" -s f -l format -d 'Format the output with a Go template, or \'json\'' -r
complete -c berth -n "__fish_berth_using_subcommand inspect" -l type -d 'Only inspect objects of this type' -r -f -a "image\t''
container\t''
volume\t''
network\t''"
complete -c berth -n "__fish_berth_using_subcommand inspect" -l root -d 'Directory for persistent data (images, layers, state database)' -r -F
complete -c berth -n "__fish_berth_using_subcommand inspect" -l runroot -d 'Directory for volatile state (mounts, sockets)' -r -F
complete -c berth -n "__fish_berth_using_subcommand inspect" -l log-level -d 'Log level for diagnostics on stderr' -r -f -a "trace\t''
debug\t''
info\t''
warn\t''
error\t''"
complete -c berth -n "__fish_berth_using_subcommand inspect" -s h -l help -d 'Print help'
complete -c berth -n "__fish_berth_using_subcommand inspect" -s V -l version -d 'Print version'
complete -c berth -n "__fish_berth_using_subcommand history" -s H -l human -d 'Print sizes and dates in human readable format' -r -f -a "true\t''
false\t''"
complete -c berth -n "__fish_berth_using_subcommand history" -l format -d 'Output format: table, json, or a Go template' -r
complete -c berth -n "__fish_berth_using_subcommand history" -l root -d 'Directory for persistent data (images, layers, state database)' -r -F
complete -c berth -n "__fish_berth_using_subcommand history" -l runroot -d 'Directory for volatile state (mounts, sockets)' -r -F
complete -c berth -n "__fish_berth_using_subcommand history" -l log-level -d 'Log level for diagnostics on stderr' -r -f -a "trace\t''
debug\t''
info\t''
warn\t''
error\t''"
complete -c berth -n "__fish_berth_using_subcommand history" -s q -l quiet -d 'Only show image IDs'
complete -c berth -n "__fish_berth_using_subcommand history" -l no-trunc -d 'Don\'t truncate output'
complete -c berth -n "__fish_berth_using_subcommand history" -s h -l help -d 'Print help'
complete -c berth -n "__fish_berth_using_subcommand history" -s V -l version -d 'Print version'
complete -c berth -n "__fish_berth_using_subcommand build" -s t -l tag -d 'Name and optionally a tag in the "name:tag" format' -r
complete -c berth -n "__fish_berth_using_subcommand build" -s f -l file -d 'Name of the Dockerfile (default: "PATH/Dockerfile"; "-" reads it from STDIN)' -r
complete -c berth -n "__fish_berth_using_subcommand build" -l build-arg -d 'Set build-time variables' -r
complete -c berth -n "__fish_berth_using_subcommand build" -l target -d 'Set the target build stage to build' -r
complete -c berth -n "__fish_berth_using_subcommand build" -l label -d 'Set metadata for an image' -r
complete -c berth -n "__fish_berth_using_subcommand build" -l platform -d 'Set platform if server is multi-platform capable (the host\'s only)' -r
complete -c berth -n "__fish_berth_using_subcommand build" -l secret -d 'Secret to expose to the build (format: "id=mysecret[,src=/local/secret]" or "id=mysecret,env=VAR")' -r
complete -c berth -n "__fish_berth_using_subcommand build" -l iidfile -d 'Write the image ID to the file' -r -F
complete -c berth -n "__fish_berth_using_subcommand build" -l network -d 'Set the networking mode for the RUN instructions during build (bridge, none, host)' -r
complete -c berth -n "__fish_berth_using_subcommand build" -l progress -d 'Set type of progress output (auto, plain, tty, quiet)' -r -f -a "auto\t''
plain\t''
tty\t''
quiet\t''"
complete -c berth -n "__fish_berth_using_subcommand build" -s o -l output -d 'Output destination (format: "type=local,dest=path"; types: image, local, tar, docker, oci)' -r
complete -c berth -n "__fish_berth_using_subcommand build" -l rm -d 'Remove intermediate containers after a successful build (always)' -r -f -a "true\t''
false\t''"
complete -c berth -n "__fish_berth_using_subcommand build" -l root -d 'Directory for persistent data (images, layers, state database)' -r -F
complete -c berth -n "__fish_berth_using_subcommand build" -l runroot -d 'Directory for volatile state (mounts, sockets)' -r -F
complete -c berth -n "__fish_berth_using_subcommand build" -l log-level -d 'Log level for diagnostics on stderr' -r -f -a "trace\t''
debug\t''
info\t''
warn\t''
error\t''"
complete -c berth -n "__fish_berth_using_subcommand build" -l no-cache -d 'Do not use cache when building the image'
complete -c berth -n "__fish_berth_using_subcommand build" -l pull -d 'Always attempt to pull a newer version of the image'
complete -c berth -n "__fish_berth_using_subcommand build" -s q -l quiet -d 'Suppress the build output and print image ID on success'
complete -c berth -n "__fish_berth_using_subcommand build" -l force-rm -d 'Always remove intermediate containers (always)'
complete -c berth -n "__fish_berth_using_subcommand build" -s h -l help -d 'Print help'
complete -c berth -n "__fish_berth_using_subcommand build" -s V -l version -d 'Print version'
complete -c berth -n "__fish_berth_using_subcommand builder; and not __fish_seen_subcommand_from build prune help" -l root -d 'Directory for persistent data (images, layers, state database)' -r -F
complete -c berth -n "__fish_berth_using_subcommand builder; and not __fish_seen_subcommand_from build prune help" -l runroot -d 'Directory for volatile state (mounts, sockets)' -r -F
complete -c berth -n "__fish_berth_using_subcommand builder; and not __fish_seen_subcommand_from build prune help" -l log-level -d 'Log level for diagnostics on stderr' -r -f -a "trace\t''
debug\t''
info\t''
warn\t''
error\t''"
complete -c berth -n "__fish_berth_using_subcommand builder; and not __fish_seen_subcommand_from build prune help" -s h -l help -d 'Print help'
complete -c berth -n "__fish_berth_using_subcommand builder; and not __fish_seen_subcommand_from build prune help" -s V -l version -d 'Print version'
complete -c berth -n "__fish_berth_using_subcommand builder; and not __fish_seen_subcommand_from build prune help" -f -a "build" -d 'Build an image from a Dockerfile'
complete -c berth -n "__fish_berth_using_subcommand builder; and not __fish_seen_subcommand_from build prune help" -f -a "prune" -d 'Remove build cache'
complete -c berth -n "__fish_berth_using_subcommand builder; and not __fish_seen_subcommand_from build prune help" -f -a "help" -d 'Print this message or the help of the given subcommand(s)'
complete -c berth -n "__fish_berth_using_subcommand builder; and __fish_seen_subcommand_from build" -s t -l tag -d 'Name and optionally a tag in the "name:tag" format' -r
complete -c berth -n "__fish_berth_using_subcommand builder; and __fish_seen_subcommand_from build" -s f -l file -d 'Name of the Dockerfile (default: "PATH/Dockerfile"; "-" reads it from STDIN)' -r
complete -c berth -n "__fish_berth_using_subcommand builder; and __fish_seen_subcommand_from build" -l build-arg -d 'Set build-time variables' -r
complete -c berth -n "__fish_berth_using_subcommand builder; and __fish_seen_subcommand_from build" -l target -d 'Set the target build stage to build' -r
complete -c berth -n "__fish_berth_using_subcommand builder; and __fish_seen_subcommand_from build" -l label -d 'Set metadata for an image' -r
complete -c berth -n "__fish_berth_using_subcommand builder; and __fish_seen_subcommand_from build" -l platform -d 'Set platform if server is multi-platform capable (the host\'s only)' -r
complete -c berth -n "__fish_berth_using_subcommand builder; and __fish_seen_subcommand_from build" -l secret -d 'Secret to expose to the build (format: "id=mysecret[,src=/local/secret]" or "id=mysecret,env=VAR")' -r
complete -c berth -n "__fish_berth_using_subcommand builder; and __fish_seen_subcommand_from build" -l iidfile -d 'Write the image ID to the file' -r -F
complete -c berth -n "__fish_berth_using_subcommand builder; and __fish_seen_subcommand_from build" -l network -d 'Set the networking mode for the RUN instructions during build (bridge, none, host)' -r
complete -c berth -n "__fish_berth_using_subcommand builder; and __fish_seen_subcommand_from build" -l progress -d 'Set type of progress output (auto, plain, tty, quiet)' -r -f -a "auto\t''
plain\t''
tty\t''
quiet\t''"
complete -c berth -n "__fish_berth_using_subcommand builder; and __fish_seen_subcommand_from build" -s o -l output -d 'Output destination (format: "type=local,dest=path"; types: image, local, tar, docker, oci)' -r
complete -c berth -n "__fish_berth_using_subcommand builder; and __fish_seen_subcommand_from build" -l rm -d 'Remove intermediate containers after a successful build (always)' -r -f -a "true\t''
false\t''"
complete -c berth -n "__fish_berth_using_subcommand builder; and __fish_seen_subcommand_from build" -l root -d 'Directory for persistent data (images, layers, state database)' -r -F
complete -c berth -n "__fish_berth_using_subcommand builder; and __fish_seen_subcommand_from build" -l runroot -d 'Directory for volatile state (mounts, sockets)' -r -F
complete -c berth -n "__fish_berth_using_subcommand builder; and __fish_seen_subcommand_from build" -l log-level -d 'Log level for diagnostics on stderr' -r -f -a "trace\t''
debug\t''
info\t''
warn\t''
error\t''"
complete -c berth -n "__fish_berth_using_subcommand builder; and __fish_seen_subcommand_from build" -l no-cache -d 'Do not use cache when building the image'
complete -c berth -n "__fish_berth_using_subcommand builder; and __fish_seen_subcommand_from build" -l pull -d 'Always attempt to pull a newer version of the image'
complete -c berth -n "__fish_berth_using_subcommand builder; and __fish_seen_subcommand_from build" -s q -l quiet -d 'Suppress the build output and print image ID on success'
complete -c berth -n "__fish_berth_using_subcommand builder; and __fish_seen_subcommand_from build" -l force-rm -d 'Always remove intermediate containers (always)'
complete -c berth -n "__fish_berth_using_subcommand builder; and __fish_seen_subcommand_from build" -s h -l help -d 'Print help'
complete -c berth -n "__fish_berth_using_subcommand builder; and __fish_seen_subcommand_from build" -s V -l version -d 'Print version'
complete -c berth -n "__fish_berth_using_subcommand builder; and __fish_seen_subcommand_from prune" -l filter -d 'Provide filter values (e.g. "until=24h")' -r
complete -c berth -n "__fish_berth_using_subcommand builder; and __fish_seen_subcommand_from prune" -l keep-storage -d 'Amount of disk space to keep for cache (deprecated: --reserved-space)' -r
complete -c berth -n "__fish_berth_using_subcommand builder; and __fish_seen_subcommand_from prune" -l reserved-space -d 'Amount of disk space always allowed to keep for cache' -r
complete -c berth -n "__fish_berth_using_subcommand builder; and __fish_seen_subcommand_from prune" -l max-used-space -d 'Maximum amount of disk space allowed to keep for cache' -r
complete -c berth -n "__fish_berth_using_subcommand builder; and __fish_seen_subcommand_from prune" -l min-free-space -d 'Target amount of free disk space after pruning' -r
complete -c berth -n "__fish_berth_using_subcommand builder; and __fish_seen_subcommand_from prune" -l root -d 'Directory for persistent data (images, layers, state database)' -r -F
complete -c berth -n "__fish_berth_using_subcommand builder; and __fish_seen_subcommand_from prune" -l runroot -d 'Directory for volatile state (mounts, sockets)' -r -F
complete -c berth -n "__fish_berth_using_subcommand builder; and __fish_seen_subcommand_from prune" -l log-level -d 'Log level for diagnostics on stderr' -r -f -a "trace\t''
debug\t''
info\t''
warn\t''
error\t''"
complete -c berth -n "__fish_berth_using_subcommand builder; and __fish_seen_subcommand_from prune" -s a -l all -d 'Remove all unused build cache, not just dangling ones'
complete -c berth -n "__fish_berth_using_subcommand builder; and __fish_seen_subcommand_from prune" -s f -l force -d 'Do not prompt for confirmation'
complete -c berth -n "__fish_berth_using_subcommand builder; and __fish_seen_subcommand_from prune" -s h -l help -d 'Print help'
complete -c berth -n "__fish_berth_using_subcommand builder; and __fish_seen_subcommand_from prune" -s V -l version -d 'Print version'
complete -c berth -n "__fish_berth_using_subcommand builder; and __fish_seen_subcommand_from help" -f -a "build" -d 'Build an image from a Dockerfile'
complete -c berth -n "__fish_berth_using_subcommand builder; and __fish_seen_subcommand_from help" -f -a "prune" -d 'Remove build cache'
complete -c berth -n "__fish_berth_using_subcommand builder; and __fish_seen_subcommand_from help" -f -a "help" -d 'Print this message or the help of the given subcommand(s)'
complete -c berth -n "__fish_berth_using_subcommand commit" -s a -l author -d 'Author (e.g., "John Hannibal Smith <hannibal@a-team.com>")' -r
complete -c berth -n "__fish_berth_using_subcommand commit" -s c -l change -d 'Apply Dockerfile instruction to the created image' -r
complete -c berth -n "__fish_berth_using_subcommand commit" -s m -l message -d 'Commit message' -r
complete -c berth -n "__fish_berth_using_subcommand commit" -s p -l pause -d 'Pause container during commit' -r -f -a "true\t''
false\t''"
complete -c berth -n "__fish_berth_using_subcommand commit" -l root -d 'Directory for persistent data (images, layers, state database)' -r -F
complete -c berth -n "__fish_berth_using_subcommand commit" -l runroot -d 'Directory for volatile state (mounts, sockets)' -r -F
complete -c berth -n "__fish_berth_using_subcommand commit" -l log-level -d 'Log level for diagnostics on stderr' -r -f -a "trace\t''
debug\t''
info\t''
warn\t''
error\t''"
complete -c berth -n "__fish_berth_using_subcommand commit" -s h -l help -d 'Print help'
complete -c berth -n "__fish_berth_using_subcommand commit" -s V -l version -d 'Print version'
complete -c berth -n "__fish_berth_using_subcommand save" -s o -l output -d 'Write to a file, instead of STDOUT' -r -F
complete -c berth -n "__fish_berth_using_subcommand save" -l root -d 'Directory for persistent data (images, layers, state database)' -r -F
complete -c berth -n "__fish_berth_using_subcommand save" -l runroot -d 'Directory for volatile state (mounts, sockets)' -r -F
complete -c berth -n "__fish_berth_using_subcommand save" -l log-level -d 'Log level for diagnostics on stderr' -r -f -a "trace\t''
debug\t''
info\t''
warn\t''
error\t''"
complete -c berth -n "__fish_berth_using_subcommand save" -s h -l help -d 'Print help'
complete -c berth -n "__fish_berth_using_subcommand save" -s V -l version -d 'Print version'
complete -c berth -n "__fish_berth_using_subcommand load" -s i -l input -d 'Read from tar archive file, instead of STDIN' -r -F
complete -c berth -n "__fish_berth_using_subcommand load" -l root -d 'Directory for persistent data (images, layers, state database)' -r -F
complete -c berth -n "__fish_berth_using_subcommand load" -l runroot -d 'Directory for volatile state (mounts, sockets)' -r -F
complete -c berth -n "__fish_berth_using_subcommand load" -l log-level -d 'Log level for diagnostics on stderr' -r -f -a "trace\t''
debug\t''
info\t''
warn\t''
error\t''"
complete -c berth -n "__fish_berth_using_subcommand load" -s q -l quiet -d 'Suppress the load output'
complete -c berth -n "__fish_berth_using_subcommand load" -s h -l help -d 'Print help'
complete -c berth -n "__fish_berth_using_subcommand load" -s V -l version -d 'Print version'
complete -c berth -n "__fish_berth_using_subcommand import" -s c -l change -d 'Apply Dockerfile instruction to the created image' -r
complete -c berth -n "__fish_berth_using_subcommand import" -s m -l message -d 'Set commit message for imported image' -r
complete -c berth -n "__fish_berth_using_subcommand import" -l root -d 'Directory for persistent data (images, layers, state database)' -r -F
complete -c berth -n "__fish_berth_using_subcommand import" -l runroot -d 'Directory for volatile state (mounts, sockets)' -r -F
complete -c berth -n "__fish_berth_using_subcommand import" -l log-level -d 'Log level for diagnostics on stderr' -r -f -a "trace\t''
debug\t''
info\t''
warn\t''
error\t''"
complete -c berth -n "__fish_berth_using_subcommand import" -s h -l help -d 'Print help'
complete -c berth -n "__fish_berth_using_subcommand import" -s V -l version -d 'Print version'
complete -c berth -n "__fish_berth_using_subcommand image; and not __fish_seen_subcommand_from build ls list rm remove pull push tag inspect history prune mount unmount umount exists untag help" -l root -d 'Directory for persistent data (images, layers, state database)' -r -F
complete -c berth -n "__fish_berth_using_subcommand image; and not __fish_seen_subcommand_from build ls list rm remove pull push tag inspect history prune mount unmount umount exists untag help" -l runroot -d 'Directory for volatile state (mounts, sockets)' -r -F
complete -c berth -n "__fish_berth_using_subcommand image; and not __fish_seen_subcommand_from build ls list rm remove pull push tag inspect history prune mount unmount umount exists untag help" -l log-level -d 'Log level for diagnostics on stderr' -r -f -a "trace\t''
debug\t''
info\t''
warn\t''
error\t''"
complete -c berth -n "__fish_berth_using_subcommand image; and not __fish_seen_subcommand_from build ls list rm remove pull push tag inspect history prune mount unmount umount exists untag help" -s h -l help -d 'Print help'
complete -c berth -n "__fish_berth_using_subcommand image; and not __fish_seen_subcommand_from build ls list rm remove pull push tag inspect history prune mount unmount umount exists untag help" -s V -l version -d 'Print version'
complete -c berth -n "__fish_berth_using_subcommand image; and not __fish_seen_subcommand_from build ls list rm remove pull push tag inspect history prune mount unmount umount exists untag help" -f -a "build" -d 'Build an image from a Dockerfile'
complete -c berth -n "__fish_berth_using_subcommand image; and not __fish_seen_subcommand_from build ls list rm remove pull push tag inspect history prune mount unmount umount exists untag help" -f -a "ls" -d 'List images'
complete -c berth -n "__fish_berth_using_subcommand image; and not __fish_seen_subcommand_from build ls list rm remove pull push tag inspect history prune mount unmount umount exists untag help" -f -a "list" -d 'List images'
complete -c berth -n "__fish_berth_using_subcommand image; and not __fish_seen_subcommand_from build ls list rm remove pull push tag inspect history prune mount unmount umount exists untag help" -f -a "rm" -d 'Remove one or more images'
complete -c berth -n "__fish_berth_using_subcommand image; and not __fish_seen_subcommand_from build ls list rm remove pull push tag inspect history prune mount unmount umount exists untag help" -f -a "remove" -d 'Remove one or more images'
complete -c berth -n "__fish_berth_using_subcommand image; and not __fish_seen_subcommand_from build ls list rm remove pull push tag inspect history prune mount unmount umount exists untag help" -f -a "pull" -d 'Download an image from a registry'
complete -c berth -n "__fish_berth_using_subcommand image; and not __fish_seen_subcommand_from build ls list rm remove pull push tag inspect history prune mount unmount umount exists untag help" -f -a "push" -d 'Upload an image to a registry'
complete -c berth -n "__fish_berth_using_subcommand image; and not __fish_seen_subcommand_from build ls list rm remove pull push tag inspect history prune mount unmount umount exists untag help" -f -a "tag" -d 'Create a tag TARGET_IMAGE that refers to SOURCE_IMAGE'
complete -c berth -n "__fish_berth_using_subcommand image; and not __fish_seen_subcommand_from build ls list rm remove pull push tag inspect history prune mount unmount umount exists untag help" -f -a "inspect" -d 'Show low-level information on images'
complete -c berth -n "__fish_berth_using_subcommand image; and not __fish_seen_subcommand_from build ls list rm remove pull push tag inspect history prune mount unmount umount exists untag help" -f -a "history" -d 'Show the history of an image'
complete -c berth -n "__fish_berth_using_subcommand image; and not __fish_seen_subcommand_from build ls list rm remove pull push tag inspect history prune mount unmount umount exists untag help" -f -a "prune" -d 'Remove unused images'
complete -c berth -n "__fish_berth_using_subcommand image; and not __fish_seen_subcommand_from build ls list rm remove pull push tag inspect history prune mount unmount umount exists untag help" -f -a "mount" -d 'Mount an image\'s root filesystem read-only and print its path'
complete -c berth -n "__fish_berth_using_subcommand image; and not __fish_seen_subcommand_from build ls list rm remove pull push tag inspect history prune mount unmount umount exists untag help" -f -a "unmount" -d 'Unmount an image mounted with `image mount`'
complete -c berth -n "__fish_berth_using_subcommand image; and not __fish_seen_subcommand_from build ls list rm remove pull push tag inspect history prune mount unmount umount exists untag help" -f -a "umount" -d 'Unmount an image mounted with `image mount`'
complete -c berth -n "__fish_berth_using_subcommand image; and not __fish_seen_subcommand_from build ls list rm remove pull push tag inspect history prune mount unmount umount exists untag help" -f -a "exists" -d 'Exit 0 if the image exists, 1 if not'
complete -c berth -n "__fish_berth_using_subcommand image; and not __fish_seen_subcommand_from build ls list rm remove pull push tag inspect history prune mount unmount umount exists untag help" -f -a "untag" -d 'Remove names from an image (all of them without NAME); the image stays'
complete -c berth -n "__fish_berth_using_subcommand image; and not __fish_seen_subcommand_from build ls list rm remove pull push tag inspect history prune mount unmount umount exists untag help" -f -a "help" -d 'Print this message or the help of the given subcommand(s)'
complete -c berth -n "__fish_berth_using_subcommand image; and __fish_seen_subcommand_from build" -s t -l tag -d 'Name and optionally a tag in the "name:tag" format' -r
complete -c berth -n "__fish_berth_using_subcommand image; and __fish_seen_subcommand_from build" -s f -l file -d 'Name of the Dockerfile (default: "PATH/Dockerfile"; "-" reads it from STDIN)' -r
complete -c berth -n "__fish_berth_using_subcommand image; and __fish_seen_subcommand_from build" -l build-arg -d 'Set build-time variables' -r
complete -c berth -n "__fish_berth_using_subcommand image; and __fish_seen_subcommand_from build" -l target -d 'Set the target build stage to build' -r
complete -c berth -n "__fish_berth_using_subcommand image; and __fish_seen_subcommand_from build" -l label -d 'Set metadata for an image' -r
complete -c berth -n "__fish_berth_using_subcommand image; and __fish_seen_subcommand_from build" -l platform -d 'Set platform if server is multi-platform capable (the host\'s only)' -r
complete -c berth -n "__fish_berth_using_subcommand image; and __fish_seen_subcommand_from build" -l secret -d 'Secret to expose to the build (format: "id=mysecret[,src=/local/secret]" or "id=mysecret,env=VAR")' -r
complete -c berth -n "__fish_berth_using_subcommand image; and __fish_seen_subcommand_from build" -l iidfile -d 'Write the image ID to the file' -r -F
complete -c berth -n "__fish_berth_using_subcommand image; and __fish_seen_subcommand_from build" -l network -d 'Set the networking mode for the RUN instructions during build (bridge, none, host)' -r
complete -c berth -n "__fish_berth_using_subcommand image; and __fish_seen_subcommand_from build" -l progress -d 'Set type of progress output (auto, plain, tty, quiet)' -r -f -a "auto\t''
plain\t''
tty\t''
quiet\t''"
complete -c berth -n "__fish_berth_using_subcommand image; and __fish_seen_subcommand_from build" -s o -l output -d 'Output destination (format: "type=local,dest=path"; types: image, local, tar, docker, oci)' -r
complete -c berth -n "__fish_berth_using_subcommand image; and __fish_seen_subcommand_from build" -l rm -d 'Remove intermediate containers after a successful build (always)' -r -f -a "true\t''
false\t''"
complete -c berth -n "__fish_berth_using_subcommand image; and __fish_seen_subcommand_from build" -l root -d 'Directory for persistent data (images, layers, state database)' -r -F
complete -c berth -n "__fish_berth_using_subcommand image; and __fish_seen_subcommand_from build" -l runroot -d 'Directory for volatile state (mounts, sockets)' -r -F
complete -c berth -n "__fish_berth_using_subcommand image; and __fish_seen_subcommand_from build" -l log-level -d 'Log level for diagnostics on stderr' -r -f -a "trace\t''
debug\t''
info\t''
warn\t''
error\t''"
complete -c berth -n "__fish_berth_using_subcommand image; and __fish_seen_subcommand_from build" -l no-cache -d 'Do not use cache when building the image'
complete -c berth -n "__fish_berth_using_subcommand image; and __fish_seen_subcommand_from build" -l pull -d 'Always attempt to pull a newer version of the image'
complete -c berth -n "__fish_berth_using_subcommand image; and __fish_seen_subcommand_from build" -s q -l quiet -d 'Suppress the build output and print image ID on success'
complete -c berth -n "__fish_berth_using_subcommand image; and __fish_seen_subcommand_from build" -l force-rm -d 'Always remove intermediate containers (always)'
complete -c berth -n "__fish_berth_using_subcommand image; and __fish_seen_subcommand_from build" -s h -l help -d 'Print help'
complete -c berth -n "__fish_berth_using_subcommand image; and __fish_seen_subcommand_from build" -s V -l version -d 'Print version'
complete -c berth -n "__fish_berth_using_subcommand image; and __fish_seen_subcommand_from ls" -l format -d 'Output format: table, json, or a Go template such as \'{{.Repository}}:{{.Tag}}\'' -r
complete -c berth -n "__fish_berth_using_subcommand image; and __fish_seen_subcommand_from ls" -s f -l filter -d 'Filter output (dangling=true|false, label=KEY[=VALUE], before=IMAGE, since=IMAGE, reference=PATTERN)' -r
complete -c berth -n "__fish_berth_using_subcommand image; and __fish_seen_subcommand_from ls" -l root -d 'Directory for persistent data (images, layers, state database)' -r -F
complete -c berth -n "__fish_berth_using_subcommand image; and __fish_seen_subcommand_from ls" -l runroot -d 'Directory for volatile state (mounts, sockets)' -r -F
complete -c berth -n "__fish_berth_using_subcommand image; and __fish_seen_subcommand_from ls" -l log-level -d 'Log level for diagnostics on stderr' -r -f -a "trace\t''
debug\t''
info\t''
warn\t''
error\t''"
complete -c berth -n "__fish_berth_using_subcommand image; and __fish_seen_subcommand_from ls" -s a -l all -d 'Show all images (by default, intermediate images are hidden)'
complete -c berth -n "__fish_berth_using_subcommand image; and __fish_seen_subcommand_from ls" -s q -l quiet -d 'Only show image IDs'
complete -c berth -n "__fish_berth_using_subcommand image; and __fish_seen_subcommand_from ls" -l digests -d 'Show digests'
complete -c berth -n "__fish_berth_using_subcommand image; and __fish_seen_subcommand_from ls" -l no-trunc -d 'Don\'t truncate output'
complete -c berth -n "__fish_berth_using_subcommand image; and __fish_seen_subcommand_from ls" -l no-heading -d 'Print no header row (podman\'s spelling)'
complete -c berth -n "__fish_berth_using_subcommand image; and __fish_seen_subcommand_from ls" -s h -l help -d 'Print help'
complete -c berth -n "__fish_berth_using_subcommand image; and __fish_seen_subcommand_from ls" -s V -l version -d 'Print version'
complete -c berth -n "__fish_berth_using_subcommand image; and __fish_seen_subcommand_from list" -l format -d 'Output format: table, json, or a Go template such as \'{{.Repository}}:{{.Tag}}\'' -r
complete -c berth -n "__fish_berth_using_subcommand image; and __fish_seen_subcommand_from list" -s f -l filter -d 'Filter output (dangling=true|false, label=KEY[=VALUE], before=IMAGE, since=IMAGE, reference=PATTERN)' -r
complete -c berth -n "__fish_berth_using_subcommand image; and __fish_seen_subcommand_from list" -l root -d 'Directory for persistent data (images, layers, state database)' -r -F
complete -c berth -n "__fish_berth_using_subcommand image; and __fish_seen_subcommand_from list" -l runroot -d 'Directory for volatile state (mounts, sockets)' -r -F
complete -c berth -n "__fish_berth_using_subcommand image; and __fish_seen_subcommand_from list" -l log-level -d 'Log level for diagnostics on stderr' -r -f -a "trace\t''
debug\t''
info\t''
warn\t''
error\t''"
complete -c berth -n "__fish_berth_using_subcommand image; and __fish_seen_subcommand_from list" -s a -l all -d 'Show all images (by default, intermediate images are hidden)'
complete -c berth -n "__fish_berth_using_subcommand image; and __fish_seen_subcommand_from list" -s q -l quiet -d 'Only show image IDs'
complete -c berth -n "__fish_berth_using_subcommand image; and __fish_seen_subcommand_from list" -l digests -d 'Show digests'
complete -c berth -n "__fish_berth_using_subcommand image; and __fish_seen_subcommand_from list" -l no-trunc -d 'Don\'t truncate output'
complete -c berth -n "__fish_berth_using_subcommand image; and __fish_seen_subcommand_from list" -l no-heading -d 'Print no header row (podman\'s spelling)'
complete -c berth -n "__fish_berth_using_subcommand image; and __fish_seen_subcommand_from list" -s h -l help -d 'Print help'
complete -c berth -n "__fish_berth_using_subcommand image; and __fish_seen_subcommand_from list" -s V -l version -d 'Print version'
complete -c berth -n "__fish_berth_using_subcommand image; and __fish_seen_subcommand_from rm" -l root -d 'Directory for persistent data (images, layers, state database)' -r -F
complete -c berth -n "__fish_berth_using_subcommand image; and __fish_seen_subcommand_from rm" -l runroot -d 'Directory for volatile state (mounts, sockets)' -r -F
complete -c berth -n "__fish_berth_using_subcommand image; and __fish_seen_subcommand_from rm" -l log-level -d 'Log level for diagnostics on stderr' -r -f -a "trace\t''
debug\t''
info\t''
warn\t''
error\t''"
complete -c berth -n "__fish_berth_using_subcommand image; and __fish_seen_subcommand_from rm" -s f -l force -d 'Remove the image even if it is referenced by several repositories or mounted'
complete -c berth -n "__fish_berth_using_subcommand image; and __fish_seen_subcommand_from rm" -s h -l help -d 'Print help'
complete -c berth -n "__fish_berth_using_subcommand image; and __fish_seen_subcommand_from rm" -s V -l version -d 'Print version'
complete -c berth -n "__fish_berth_using_subcommand image; and __fish_seen_subcommand_from remove" -l root -d 'Directory for persistent data (images, layers, state database)' -r -F
complete -c berth -n "__fish_berth_using_subcommand image; and __fish_seen_subcommand_from remove" -l runroot -d 'Directory for volatile state (mounts, sockets)' -r -F
complete -c berth -n "__fish_berth_using_subcommand image; and __fish_seen_subcommand_from remove" -l log-level -d 'Log level for diagnostics on stderr' -r -f -a "trace\t''
debug\t''
info\t''
warn\t''
error\t''"
complete -c berth -n "__fish_berth_using_subcommand image; and __fish_seen_subcommand_from remove" -s f -l force -d 'Remove the image even if it is referenced by several repositories or mounted'
complete -c berth -n "__fish_berth_using_subcommand image; and __fish_seen_subcommand_from remove" -s h -l help -d 'Print help'
complete -c berth -n "__fish_berth_using_subcommand image; and __fish_seen_subcommand_from remove" -s V -l version -d 'Print version'
complete -c berth -n "__fish_berth_using_subcommand image; and __fish_seen_subcommand_from pull" -l platform -d 'Platform to pull from a multi-platform image (os/arch[/variant])' -r
complete -c berth -n "__fish_berth_using_subcommand image; and __fish_seen_subcommand_from pull" -l tls-verify -d 'Require HTTPS and verify certificates (false: allow plain HTTP and any certificate)' -r -f -a "true\t''
false\t''"
complete -c berth -n "__fish_berth_using_subcommand image; and __fish_seen_subcommand_from pull" -l root -d 'Directory for persistent data (images, layers, state database)' -r -F
complete -c berth -n "__fish_berth_using_subcommand image; and __fish_seen_subcommand_from pull" -l runroot -d 'Directory for volatile state (mounts, sockets)' -r -F
complete -c berth -n "__fish_berth_using_subcommand image; and __fish_seen_subcommand_from pull" -l log-level -d 'Log level for diagnostics on stderr' -r -f -a "trace\t''
debug\t''
info\t''
warn\t''
error\t''"
complete -c berth -n "__fish_berth_using_subcommand image; and __fish_seen_subcommand_from pull" -s q -l quiet -d 'Print only the image ID'
complete -c berth -n "__fish_berth_using_subcommand image; and __fish_seen_subcommand_from pull" -s h -l help -d 'Print help'
complete -c berth -n "__fish_berth_using_subcommand image; and __fish_seen_subcommand_from pull" -s V -l version -d 'Print version'
complete -c berth -n "__fish_berth_using_subcommand image; and __fish_seen_subcommand_from push" -l tls-verify -d 'Require HTTPS and verify certificates (false: allow plain HTTP and any certificate)' -r -f -a "true\t''
false\t''"
complete -c berth -n "__fish_berth_using_subcommand image; and __fish_seen_subcommand_from push" -l root -d 'Directory for persistent data (images, layers, state database)' -r -F
complete -c berth -n "__fish_berth_using_subcommand image; and __fish_seen_subcommand_from push" -l runroot -d 'Directory for volatile state (mounts, sockets)' -r -F
complete -c berth -n "__fish_berth_using_subcommand image; and __fish_seen_subcommand_from push" -l log-level -d 'Log level for diagnostics on stderr' -r -f -a "trace\t''
debug\t''
info\t''
warn\t''
error\t''"
complete -c berth -n "__fish_berth_using_subcommand image; and __fish_seen_subcommand_from push" -s a -l all-tags -d 'Push all tags of the repository'
complete -c berth -n "__fish_berth_using_subcommand image; and __fish_seen_subcommand_from push" -s q -l quiet -d 'Print only the pushed references'
complete -c berth -n "__fish_berth_using_subcommand image; and __fish_seen_subcommand_from push" -s h -l help -d 'Print help'
complete -c berth -n "__fish_berth_using_subcommand image; and __fish_seen_subcommand_from push" -s V -l version -d 'Print version'
complete -c berth -n "__fish_berth_using_subcommand image; and __fish_seen_subcommand_from tag" -l root -d 'Directory for persistent data (images, layers, state database)' -r -F
complete -c berth -n "__fish_berth_using_subcommand image; and __fish_seen_subcommand_from tag" -l runroot -d 'Directory for volatile state (mounts, sockets)' -r -F
complete -c berth -n "__fish_berth_using_subcommand image; and __fish_seen_subcommand_from tag" -l log-level -d 'Log level for diagnostics on stderr' -r -f -a "trace\t''
debug\t''
info\t''
warn\t''
error\t''"
complete -c berth -n "__fish_berth_using_subcommand image; and __fish_seen_subcommand_from tag" -s h -l help -d 'Print help'
complete -c berth -n "__fish_berth_using_subcommand image; and __fish_seen_subcommand_from tag" -s V -l version -d 'Print version'
complete -c berth -n "__fish_berth_using_subcommand image; and __fish_seen_subcommand_from inspect" -s f -l format -d 'Format the output with a Go template, or \'json\'' -r
complete -c berth -n "__fish_berth_using_subcommand image; and __fish_seen_subcommand_from inspect" -l type -d 'Only inspect objects of this type' -r -f -a "image\t''
container\t''
volume\t''
network\t''"
complete -c berth -n "__fish_berth_using_subcommand image; and __fish_seen_subcommand_from inspect" -l root -d 'Directory for persistent data (images, layers, state database)' -r -F
complete -c berth -n "__fish_berth_using_subcommand image; and __fish_seen_subcommand_from inspect" -l runroot -d 'Directory for volatile state (mounts, sockets)' -r -F
complete -c berth -n "__fish_berth_using_subcommand image; and __fish_seen_subcommand_from inspect" -l log-level -d 'Log level for diagnostics on stderr' -r -f -a "trace\t''
debug\t''
info\t''
warn\t''
error\t''"
complete -c berth -n "__fish_berth_using_subcommand image; and __fish_seen_subcommand_from inspect" -s h -l help -d 'Print help'
complete -c berth -n "__fish_berth_using_subcommand image; and __fish_seen_subcommand_from inspect" -s V -l version -d 'Print version'
complete -c berth -n "__fish_berth_using_subcommand image; and __fish_seen_subcommand_from history" -s H -l human -d 'Print sizes and dates in human readable format' -r -f -a "true\t''
false\t''"
complete -c berth -n "__fish_berth_using_subcommand image; and __fish_seen_subcommand_from history" -l format -d 'Output format: table, json, or a Go template' -r
complete -c berth -n "__fish_berth_using_subcommand image; and __fish_seen_subcommand_from history" -l root -d 'Directory for persistent data (images, layers, state database)' -r -F
complete -c berth -n "__fish_berth_using_subcommand image; and __fish_seen_subcommand_from history" -l runroot -d 'Directory for volatile state (mounts, sockets)' -r -F
complete -c berth -n "__fish_berth_using_subcommand image; and __fish_seen_subcommand_from history" -l log-level -d 'Log level for diagnostics on stderr' -r -f -a "trace\t''
debug\t''
info\t''
warn\t''
error\t''"
complete -c berth -n "__fish_berth_using_subcommand image; and __fish_seen_subcommand_from history" -s q -l quiet -d 'Only show image IDs'
complete -c berth -n "__fish_berth_using_subcommand image; and __fish_seen_subcommand_from history" -l no-trunc -d 'Don\'t truncate output'
complete -c berth -n "__fish_berth_using_subcommand image; and __fish_seen_subcommand_from history" -s h -l help -d 'Print help'
complete -c berth -n "__fish_berth_using_subcommand image; and __fish_seen_subcommand_from history" -s V -l version -d 'Print version'
complete -c berth -n "__fish_berth_using_subcommand image; and __fish_seen_subcommand_from prune" -l filter -d 'Provide filter values (label=KEY[=VALUE], label!=KEY[=VALUE], until=TIME, dangling=false)' -r
complete -c berth -n "__fish_berth_using_subcommand image; and __fish_seen_subcommand_from prune" -l root -d 'Directory for persistent data (images, layers, state database)' -r -F
complete -c berth -n "__fish_berth_using_subcommand image; and __fish_seen_subcommand_from prune" -l runroot -d 'Directory for volatile state (mounts, sockets)' -r -F
complete -c berth -n "__fish_berth_using_subcommand image; and __fish_seen_subcommand_from prune" -l log-level -d 'Log level for diagnostics on stderr' -r -f -a "trace\t''
debug\t''
info\t''
warn\t''
error\t''"
complete -c berth -n "__fish_berth_using_subcommand image; and __fish_seen_subcommand_from prune" -s a -l all -d 'Remove all images not in use, not just dangling ones'
complete -c berth -n "__fish_berth_using_subcommand image; and __fish_seen_subcommand_from prune" -s f -l force -d 'Do not prompt for confirmation'
complete -c berth -n "__fish_berth_using_subcommand image; and __fish_seen_subcommand_from prune" -s h -l help -d 'Print help'
complete -c berth -n "__fish_berth_using_subcommand image; and __fish_seen_subcommand_from prune" -s V -l version -d 'Print version'
complete -c berth -n "__fish_berth_using_subcommand image; and __fish_seen_subcommand_from mount" -l root -d 'Directory for persistent data (images, layers, state database)' -r -F
complete -c berth -n "__fish_berth_using_subcommand image; and __fish_seen_subcommand_from mount" -l runroot -d 'Directory for volatile state (mounts, sockets)' -r -F
complete -c berth -n "__fish_berth_using_subcommand image; and __fish_seen_subcommand_from mount" -l log-level -d 'Log level for diagnostics on stderr' -r -f -a "trace\t''
debug\t''
info\t''
warn\t''
error\t''"
complete -c berth -n "__fish_berth_using_subcommand image; and __fish_seen_subcommand_from mount" -s h -l help -d 'Print help'
complete -c berth -n "__fish_berth_using_subcommand image; and __fish_seen_subcommand_from mount" -s V -l version -d 'Print version'
complete -c berth -n "__fish_berth_using_subcommand image; and __fish_seen_subcommand_from unmount" -l root -d 'Directory for persistent data (images, layers, state database)' -r -F
complete -c berth -n "__fish_berth_using_subcommand image; and __fish_seen_subcommand_from unmount" -l runroot -d 'Directory for volatile state (mounts, sockets)' -r -F
complete -c berth -n "__fish_berth_using_subcommand image; and __fish_seen_subcommand_from unmount" -l log-level -d 'Log level for diagnostics on stderr' -r -f -a "trace\t''
debug\t''
info\t''
warn\t''
error\t''"
complete -c berth -n "__fish_berth_using_subcommand image; and __fish_seen_subcommand_from unmount" -s h -l help -d 'Print help'
complete -c berth -n "__fish_berth_using_subcommand image; and __fish_seen_subcommand_from unmount" -s V -l version -d 'Print version'
complete -c berth -n "__fish_berth_using_subcommand image; and __fish_seen_subcommand_from umount" -l root -d 'Directory for persistent data (images, layers, state database)' -r -F
complete -c berth -n "__fish_berth_using_subcommand image; and __fish_seen_subcommand_from umount" -l runroot -d 'Directory for volatile state (mounts, sockets)' -r -F
complete -c berth -n "__fish_berth_using_subcommand image; and __fish_seen_subcommand_from umount" -l log-level -d 'Log level for diagnostics on stderr' -r -f -a "trace\t''
debug\t''
info\t''
warn\t''
error\t''"
complete -c berth -n "__fish_berth_using_subcommand image; and __fish_seen_subcommand_from umount" -s h -l help -d 'Print help'
complete -c berth -n "__fish_berth_using_subcommand image; and __fish_seen_subcommand_from umount" -s V -l version -d 'Print version'
complete -c berth -n "__fish_berth_using_subcommand image; and __fish_seen_subcommand_from exists" -l root -d 'Directory for persistent data (images, layers, state database)' -r -F
complete -c berth -n "__fish_berth_using_subcommand image; and __fish_seen_subcommand_from exists" -l runroot -d 'Directory for volatile state (mounts, sockets)' -r -F
complete -c berth -n "__fish_berth_using_subcommand image; and __fish_seen_subcommand_from exists" -l log-level -d 'Log level for diagnostics on stderr' -r -f -a "trace\t''
debug\t''
info\t''
warn\t''
error\t''"
complete -c berth -n "__fish_berth_using_subcommand image; and __fish_seen_subcommand_from exists" -s h -l help -d 'Print help'
complete -c berth -n "__fish_berth_using_subcommand image; and __fish_seen_subcommand_from exists" -s V -l version -d 'Print version'
complete -c berth -n "__fish_berth_using_subcommand image; and __fish_seen_subcommand_from untag" -l root -d 'Directory for persistent data (images, layers, state database)' -r -F
complete -c berth -n "__fish_berth_using_subcommand image; and __fish_seen_subcommand_from untag" -l runroot -d 'Directory for volatile state (mounts, sockets)' -r -F
complete -c berth -n "__fish_berth_using_subcommand image; and __fish_seen_subcommand_from untag" -l log-level -d 'Log level for diagnostics on stderr' -r -f -a "trace\t''
debug\t''
info\t''
warn\t''
error\t''"
complete -c berth -n "__fish_berth_using_subcommand image; and __fish_seen_subcommand_from untag" -s h -l help -d 'Print help'
complete -c berth -n "__fish_berth_using_subcommand image; and __fish_seen_subcommand_from untag" -s V -l version -d 'Print version'
complete -c berth -n "__fish_berth_using_subcommand image; and __fish_seen_subcommand_from help" -f -a "build" -d 'Build an image from a Dockerfile'
complete -c berth -n "__fish_berth_using_subcommand image; and __fish_seen_subcommand_from help" -f -a "ls" -d 'List images'
complete -c berth -n "__fish_berth_using_subcommand image; and __fish_seen_subcommand_from help" -f -a "rm" -d 'Remove one or more images'
complete -c berth -n "__fish_berth_using_subcommand image; and __fish_seen_subcommand_from help" -f -a "pull" -d 'Download an image from a registry'
complete -c berth -n "__fish_berth_using_subcommand image; and __fish_seen_subcommand_from help" -f -a "push" -d 'Upload an image to a registry'
complete -c berth -n "__fish_berth_using_subcommand image; and __fish_seen_subcommand_from help" -f -a "tag" -d 'Create a tag TARGET_IMAGE that refers to SOURCE_IMAGE'
complete -c berth -n "__fish_berth_using_subcommand image; and __fish_seen_subcommand_from help" -f -a "inspect" -d 'Show low-level information on images'
complete -c berth -n "__fish_berth_using_subcommand image; and __fish_seen_subcommand_from help" -f -a "history" -d 'Show the history of an image'
complete -c berth -n "__fish_berth_using_subcommand image; and __fish_seen_subcommand_from help" -f -a "prune" -d 'Remove unused images'
complete -c berth -n "__fish_berth_using_subcommand image; and __fish_seen_subcommand_from help" -f -a "mount" -d 'Mount an image\'s root filesystem read-only and print its path'
complete -c berth -n "__fish_berth_using_subcommand image; and __fish_seen_subcommand_from help" -f -a "unmount" -d 'Unmount an image mounted with `image mount`'
complete -c berth -n "__fish_berth_using_subcommand image; and __fish_seen_subcommand_from help" -f -a "exists" -d 'Exit 0 if the image exists, 1 if not'
complete -c berth -n "__fish_berth_using_subcommand image; and __fish_seen_subcommand_from help" -f -a "untag" -d 'Remove names from an image (all of them without NAME); the image stays'
complete -c berth -n "__fish_berth_using_subcommand image; and __fish_seen_subcommand_from help" -f -a "help" -d 'Print this message or the help of the given subcommand(s)'
complete -c berth -n "__fish_berth_using_subcommand network; and not __fish_seen_subcommand_from create ls inspect rm prune connect disconnect exists help" -l root -d 'Directory for persistent data (images, layers, state database)' -r -F
complete -c berth -n "__fish_berth_using_subcommand network; and not __fish_seen_subcommand_from create ls inspect rm prune connect disconnect exists help" -l runroot -d 'Directory for volatile state (mounts, sockets)' -r -F
complete -c berth -n "__fish_berth_using_subcommand network; and not __fish_seen_subcommand_from create ls inspect rm prune connect disconnect exists help" -l log-level -d 'Log level for diagnostics on stderr' -r -f -a "trace\t''
debug\t''
info\t''
warn\t''
error\t''"
complete -c berth -n "__fish_berth_using_subcommand network; and not __fish_seen_subcommand_from create ls inspect rm prune connect disconnect exists help" -s h -l help -d 'Print help'
complete -c berth -n "__fish_berth_using_subcommand network; and not __fish_seen_subcommand_from create ls inspect rm prune connect disconnect exists help" -s V -l version -d 'Print version'
complete -c berth -n "__fish_berth_using_subcommand network; and not __fish_seen_subcommand_from create ls inspect rm prune connect disconnect exists help" -f -a "create" -d 'Create a network'
complete -c berth -n "__fish_berth_using_subcommand network; and not __fish_seen_subcommand_from create ls inspect rm prune connect disconnect exists help" -f -a "ls" -d 'List networks'
complete -c berth -n "__fish_berth_using_subcommand network; and not __fish_seen_subcommand_from create ls inspect rm prune connect disconnect exists help" -f -a "inspect" -d 'Display detailed information on one or more networks'
complete -c berth -n "__fish_berth_using_subcommand network; and not __fish_seen_subcommand_from create ls inspect rm prune connect disconnect exists help" -f -a "rm" -d 'Remove one or more networks'
complete -c berth -n "__fish_berth_using_subcommand network; and not __fish_seen_subcommand_from create ls inspect rm prune connect disconnect exists help" -f -a "prune" -d 'Remove all unused networks'
complete -c berth -n "__fish_berth_using_subcommand network; and not __fish_seen_subcommand_from create ls inspect rm prune connect disconnect exists help" -f -a "connect" -d 'Connect a container to a network'
complete -c berth -n "__fish_berth_using_subcommand network; and not __fish_seen_subcommand_from create ls inspect rm prune connect disconnect exists help" -f -a "disconnect" -d 'Disconnect a container from a network'
complete -c berth -n "__fish_berth_using_subcommand network; and not __fish_seen_subcommand_from create ls inspect rm prune connect disconnect exists help" -f -a "exists" -d 'Exit 0 if the network exists, 1 if not'
complete -c berth -n "__fish_berth_using_subcommand network; and not __fish_seen_subcommand_from create ls inspect rm prune connect disconnect exists help" -f -a "help" -d 'Print this message or the help of the given subcommand(s)'
complete -c berth -n "__fish_berth_using_subcommand network; and __fish_seen_subcommand_from create" -s d -l driver -d 'Driver to manage the network (bridge)' -r
complete -c berth -n "__fish_berth_using_subcommand network; and __fish_seen_subcommand_from create" -l subnet -d 'Subnet in CIDR format (e.g. 10.90.0.0/24); once per family (fd12:3456:789a::/64 with --ipv6)' -r
complete -c berth -n "__fish_berth_using_subcommand network; and __fish_seen_subcommand_from create" -l gateway -d 'Gateway for the subnet (IPv4 or, with --ipv6, IPv6); once per family' -r
complete -c berth -n "__fish_berth_using_subcommand network; and __fish_seen_subcommand_from create" -l label -d 'Set metadata on the network (KEY=VALUE)' -r
complete -c berth -n "__fish_berth_using_subcommand network; and __fish_seen_subcommand_from create" -s o -l opt -d 'Driver specific options (com.docker.network.driver.mtu=N)' -r
complete -c berth -n "__fish_berth_using_subcommand network; and __fish_seen_subcommand_from create" -l root -d 'Directory for persistent data (images, layers, state database)' -r -F
complete -c berth -n "__fish_berth_using_subcommand network; and __fish_seen_subcommand_from create" -l runroot -d 'Directory for volatile state (mounts, sockets)' -r -F
complete -c berth -n "__fish_berth_using_subcommand network; and __fish_seen_subcommand_from create" -l log-level -d 'Log level for diagnostics on stderr' -r -f -a "trace\t''
debug\t''
info\t''
warn\t''
error\t''"
complete -c berth -n "__fish_berth_using_subcommand network; and __fish_seen_subcommand_from create" -l ipv6 -d 'Enable IPv6 (dual stack; a ULA /64 unless an IPv6 --subnet is given)'
complete -c berth -n "__fish_berth_using_subcommand network; and __fish_seen_subcommand_from create" -l internal -d 'Restrict external access to the network'
complete -c berth -n "__fish_berth_using_subcommand network; and __fish_seen_subcommand_from create" -s h -l help -d 'Print help'
complete -c berth -n "__fish_berth_using_subcommand network; and __fish_seen_subcommand_from create" -s V -l version -d 'Print version'
complete -c berth -n "__fish_berth_using_subcommand network; and __fish_seen_subcommand_from ls" -s f -l filter -d 'Filter output (dangling=, driver=, id=, label=KEY[=VALUE], name=, scope=, type=custom|builtin)' -r
complete -c berth -n "__fish_berth_using_subcommand network; and __fish_seen_subcommand_from ls" -l format -d 'Format output: table, json, or a Go template' -r
complete -c berth -n "__fish_berth_using_subcommand network; and __fish_seen_subcommand_from ls" -l root -d 'Directory for persistent data (images, layers, state database)' -r -F
complete -c berth -n "__fish_berth_using_subcommand network; and __fish_seen_subcommand_from ls" -l runroot -d 'Directory for volatile state (mounts, sockets)' -r -F
complete -c berth -n "__fish_berth_using_subcommand network; and __fish_seen_subcommand_from ls" -l log-level -d 'Log level for diagnostics on stderr' -r -f -a "trace\t''
debug\t''
info\t''
warn\t''
error\t''"
complete -c berth -n "__fish_berth_using_subcommand network; and __fish_seen_subcommand_from ls" -s q -l quiet -d 'Only display network IDs'
complete -c berth -n "__fish_berth_using_subcommand network; and __fish_seen_subcommand_from ls" -l no-trunc -d 'Do not truncate the output'
complete -c berth -n "__fish_berth_using_subcommand network; and __fish_seen_subcommand_from ls" -l no-heading -d 'Print no header row (podman\'s spelling)'
complete -c berth -n "__fish_berth_using_subcommand network; and __fish_seen_subcommand_from ls" -s h -l help -d 'Print help'
complete -c berth -n "__fish_berth_using_subcommand network; and __fish_seen_subcommand_from ls" -s V -l version -d 'Print version'
complete -c berth -n "__fish_berth_using_subcommand network; and __fish_seen_subcommand_from inspect" -s f -l format -d 'Format output using a Go template' -r
complete -c berth -n "__fish_berth_using_subcommand network; and __fish_seen_subcommand_from inspect" -l root -d 'Directory for persistent data (images, layers, state database)' -r -F
complete -c berth -n "__fish_berth_using_subcommand network; and __fish_seen_subcommand_from inspect" -l runroot -d 'Directory for volatile state (mounts, sockets)' -r -F
complete -c berth -n "__fish_berth_using_subcommand network; and __fish_seen_subcommand_from inspect" -l log-level -d 'Log level for diagnostics on stderr' -r -f -a "trace\t''
debug\t''
info\t''
warn\t''
error\t''"
complete -c berth -n "__fish_berth_using_subcommand network; and __fish_seen_subcommand_from inspect" -s h -l help -d 'Print help'
complete -c berth -n "__fish_berth_using_subcommand network; and __fish_seen_subcommand_from inspect" -s V -l version -d 'Print version'
complete -c berth -n "__fish_berth_using_subcommand network; and __fish_seen_subcommand_from rm" -l root -d 'Directory for persistent data (images, layers, state database)' -r -F
complete -c berth -n "__fish_berth_using_subcommand network; and __fish_seen_subcommand_from rm" -l runroot -d 'Directory for volatile state (mounts, sockets)' -r -F
complete -c berth -n "__fish_berth_using_subcommand network; and __fish_seen_subcommand_from rm" -l log-level -d 'Log level for diagnostics on stderr' -r -f -a "trace\t''
debug\t''
info\t''
warn\t''
error\t''"
complete -c berth -n "__fish_berth_using_subcommand network; and __fish_seen_subcommand_from rm" -s f -l force -d 'Do not error if the network does not exist'
complete -c berth -n "__fish_berth_using_subcommand network; and __fish_seen_subcommand_from rm" -s h -l help -d 'Print help'
complete -c berth -n "__fish_berth_using_subcommand network; and __fish_seen_subcommand_from rm" -s V -l version -d 'Print version'
complete -c berth -n "__fish_berth_using_subcommand network; and __fish_seen_subcommand_from prune" -l filter -d 'Provide filter values (label=KEY[=VALUE], label!=KEY[=VALUE], until=TIME)' -r
complete -c berth -n "__fish_berth_using_subcommand network; and __fish_seen_subcommand_from prune" -l root -d 'Directory for persistent data (images, layers, state database)' -r -F
complete -c berth -n "__fish_berth_using_subcommand network; and __fish_seen_subcommand_from prune" -l runroot -d 'Directory for volatile state (mounts, sockets)' -r -F
complete -c berth -n "__fish_berth_using_subcommand network; and __fish_seen_subcommand_from prune" -l log-level -d 'Log level for diagnostics on stderr' -r -f -a "trace\t''
debug\t''
info\t''
warn\t''
error\t''"
complete -c berth -n "__fish_berth_using_subcommand network; and __fish_seen_subcommand_from prune" -s f -l force -d 'Do not prompt for confirmation'
complete -c berth -n "__fish_berth_using_subcommand network; and __fish_seen_subcommand_from prune" -s h -l help -d 'Print help'
complete -c berth -n "__fish_berth_using_subcommand network; and __fish_seen_subcommand_from prune" -s V -l version -d 'Print version'
complete -c berth -n "__fish_berth_using_subcommand network; and __fish_seen_subcommand_from connect" -l alias -d 'Add network-scoped alias for the container' -r
complete -c berth -n "__fish_berth_using_subcommand network; and __fish_seen_subcommand_from connect" -l ip -d 'IPv4 address' -r
complete -c berth -n "__fish_berth_using_subcommand network; and __fish_seen_subcommand_from connect" -l ip6 -d 'IPv6 address (dual-stack networks)' -r
complete -c berth -n "__fish_berth_using_subcommand network; and __fish_seen_subcommand_from connect" -l mac-address -d 'MAC address of the container on this network' -r
complete -c berth -n "__fish_berth_using_subcommand network; and __fish_seen_subcommand_from connect" -l root -d 'Directory for persistent data (images, layers, state database)' -r -F
complete -c berth -n "__fish_berth_using_subcommand network; and __fish_seen_subcommand_from connect" -l runroot -d 'Directory for volatile state (mounts, sockets)' -r -F
complete -c berth -n "__fish_berth_using_subcommand network; and __fish_seen_subcommand_from connect" -l log-level -d 'Log level for diagnostics on stderr' -r -f -a "trace\t''
debug\t''
info\t''
warn\t''
error\t''"
complete -c berth -n "__fish_berth_using_subcommand network; and __fish_seen_subcommand_from connect" -s h -l help -d 'Print help'
complete -c berth -n "__fish_berth_using_subcommand network; and __fish_seen_subcommand_from connect" -s V -l version -d 'Print version'
complete -c berth -n "__fish_berth_using_subcommand network; and __fish_seen_subcommand_from disconnect" -l root -d 'Directory for persistent data (images, layers, state database)' -r -F
complete -c berth -n "__fish_berth_using_subcommand network; and __fish_seen_subcommand_from disconnect" -l runroot -d 'Directory for volatile state (mounts, sockets)' -r -F
complete -c berth -n "__fish_berth_using_subcommand network; and __fish_seen_subcommand_from disconnect" -l log-level -d 'Log level for diagnostics on stderr' -r -f -a "trace\t''
debug\t''
info\t''
warn\t''
error\t''"
complete -c berth -n "__fish_berth_using_subcommand network; and __fish_seen_subcommand_from disconnect" -s f -l force -d 'Force the container to disconnect from a network'
complete -c berth -n "__fish_berth_using_subcommand network; and __fish_seen_subcommand_from disconnect" -s h -l help -d 'Print help'
complete -c berth -n "__fish_berth_using_subcommand network; and __fish_seen_subcommand_from disconnect" -s V -l version -d 'Print version'
complete -c berth -n "__fish_berth_using_subcommand network; and __fish_seen_subcommand_from exists" -l root -d 'Directory for persistent data (images, layers, state database)' -r -F
complete -c berth -n "__fish_berth_using_subcommand network; and __fish_seen_subcommand_from exists" -l runroot -d 'Directory for volatile state (mounts, sockets)' -r -F
complete -c berth -n "__fish_berth_using_subcommand network; and __fish_seen_subcommand_from exists" -l log-level -d 'Log level for diagnostics on stderr' -r -f -a "trace\t''
debug\t''
info\t''
warn\t''
error\t''"
complete -c berth -n "__fish_berth_using_subcommand network; and __fish_seen_subcommand_from exists" -s h -l help -d 'Print help'
complete -c berth -n "__fish_berth_using_subcommand network; and __fish_seen_subcommand_from exists" -s V -l version -d 'Print version'
complete -c berth -n "__fish_berth_using_subcommand network; and __fish_seen_subcommand_from help" -f -a "create" -d 'Create a network'
complete -c berth -n "__fish_berth_using_subcommand network; and __fish_seen_subcommand_from help" -f -a "ls" -d 'List networks'
complete -c berth -n "__fish_berth_using_subcommand network; and __fish_seen_subcommand_from help" -f -a "inspect" -d 'Display detailed information on one or more networks'
complete -c berth -n "__fish_berth_using_subcommand network; and __fish_seen_subcommand_from help" -f -a "rm" -d 'Remove one or more networks'
complete -c berth -n "__fish_berth_using_subcommand network; and __fish_seen_subcommand_from help" -f -a "prune" -d 'Remove all unused networks'
complete -c berth -n "__fish_berth_using_subcommand network; and __fish_seen_subcommand_from help" -f -a "connect" -d 'Connect a container to a network'
complete -c berth -n "__fish_berth_using_subcommand network; and __fish_seen_subcommand_from help" -f -a "disconnect" -d 'Disconnect a container from a network'
complete -c berth -n "__fish_berth_using_subcommand network; and __fish_seen_subcommand_from help" -f -a "exists" -d 'Exit 0 if the network exists, 1 if not'
complete -c berth -n "__fish_berth_using_subcommand network; and __fish_seen_subcommand_from help" -f -a "help" -d 'Print this message or the help of the given subcommand(s)'
complete -c berth -n "__fish_berth_using_subcommand volume; and not __fish_seen_subcommand_from create ls list inspect rm remove prune exists help" -l root -d 'Directory for persistent data (images, layers, state database)' -r -F
complete -c berth -n "__fish_berth_using_subcommand volume; and not __fish_seen_subcommand_from create ls list inspect rm remove prune exists help" -l runroot -d 'Directory for volatile state (mounts, sockets)' -r -F
complete -c berth -n "__fish_berth_using_subcommand volume; and not __fish_seen_subcommand_from create ls list inspect rm remove prune exists help" -l log-level -d 'Log level for diagnostics on stderr' -r -f -a "trace\t''
debug\t''
info\t''
warn\t''
error\t''"
complete -c berth -n "__fish_berth_using_subcommand volume; and not __fish_seen_subcommand_from create ls list inspect rm remove prune exists help" -s h -l help -d 'Print help'
complete -c berth -n "__fish_berth_using_subcommand volume; and not __fish_seen_subcommand_from create ls list inspect rm remove prune exists help" -s V -l version -d 'Print version'
complete -c berth -n "__fish_berth_using_subcommand volume; and not __fish_seen_subcommand_from create ls list inspect rm remove prune exists help" -f -a "create" -d 'Create a volume'
complete -c berth -n "__fish_berth_using_subcommand volume; and not __fish_seen_subcommand_from create ls list inspect rm remove prune exists help" -f -a "ls" -d 'List volumes'
complete -c berth -n "__fish_berth_using_subcommand volume; and not __fish_seen_subcommand_from create ls list inspect rm remove prune exists help" -f -a "list" -d 'List volumes'
complete -c berth -n "__fish_berth_using_subcommand volume; and not __fish_seen_subcommand_from create ls list inspect rm remove prune exists help" -f -a "inspect" -d 'Display detailed information on one or more volumes'
complete -c berth -n "__fish_berth_using_subcommand volume; and not __fish_seen_subcommand_from create ls list inspect rm remove prune exists help" -f -a "rm" -d 'Remove one or more volumes'
complete -c berth -n "__fish_berth_using_subcommand volume; and not __fish_seen_subcommand_from create ls list inspect rm remove prune exists help" -f -a "remove" -d 'Remove one or more volumes'
complete -c berth -n "__fish_berth_using_subcommand volume; and not __fish_seen_subcommand_from create ls list inspect rm remove prune exists help" -f -a "prune" -d 'Remove unused local volumes'
complete -c berth -n "__fish_berth_using_subcommand volume; and not __fish_seen_subcommand_from create ls list inspect rm remove prune exists help" -f -a "exists" -d 'Exit 0 if the volume exists, 1 if not'
complete -c berth -n "__fish_berth_using_subcommand volume; and not __fish_seen_subcommand_from create ls list inspect rm remove prune exists help" -f -a "help" -d 'Print this message or the help of the given subcommand(s)'
complete -c berth -n "__fish_berth_using_subcommand volume; and __fish_seen_subcommand_from create" -s d -l driver -d 'Specify volume driver name' -r
complete -c berth -n "__fish_berth_using_subcommand volume; and __fish_seen_subcommand_from create" -l label -d 'Set metadata for a volume (KEY=VALUE)' -r
complete -c berth -n "__fish_berth_using_subcommand volume; and __fish_seen_subcommand_from create" -s o -l opt -d 'Set driver specific options (KEY=VALUE)' -r
complete -c berth -n "__fish_berth_using_subcommand volume; and __fish_seen_subcommand_from create" -l root -d 'Directory for persistent data (images, layers, state database)' -r -F
complete -c berth -n "__fish_berth_using_subcommand volume; and __fish_seen_subcommand_from create" -l runroot -d 'Directory for volatile state (mounts, sockets)' -r -F
complete -c berth -n "__fish_berth_using_subcommand volume; and __fish_seen_subcommand_from create" -l log-level -d 'Log level for diagnostics on stderr' -r -f -a "trace\t''
debug\t''
info\t''
warn\t''
error\t''"
complete -c berth -n "__fish_berth_using_subcommand volume; and __fish_seen_subcommand_from create" -s h -l help -d 'Print help'
complete -c berth -n "__fish_berth_using_subcommand volume; and __fish_seen_subcommand_from create" -s V -l version -d 'Print version'
complete -c berth -n "__fish_berth_using_subcommand volume; and __fish_seen_subcommand_from ls" -s f -l filter -d 'Filter output (dangling=true|false, label=KEY[=VALUE], name=REGEXP, driver=…)' -r
complete -c berth -n "__fish_berth_using_subcommand volume; and __fish_seen_subcommand_from ls" -l format -d 'Output format: table, json, or a Go template' -r
complete -c berth -n "__fish_berth_using_subcommand volume; and __fish_seen_subcommand_from ls" -l root -d 'Directory for persistent data (images, layers, state database)' -r -F
complete -c berth -n "__fish_berth_using_subcommand volume; and __fish_seen_subcommand_from ls" -l runroot -d 'Directory for volatile state (mounts, sockets)' -r -F
complete -c berth -n "__fish_berth_using_subcommand volume; and __fish_seen_subcommand_from ls" -l log-level -d 'Log level for diagnostics on stderr' -r -f -a "trace\t''
debug\t''
info\t''
warn\t''
error\t''"
complete -c berth -n "__fish_berth_using_subcommand volume; and __fish_seen_subcommand_from ls" -s q -l quiet -d 'Only display volume names'
complete -c berth -n "__fish_berth_using_subcommand volume; and __fish_seen_subcommand_from ls" -l no-heading -d 'Print no header row (podman\'s spelling)'
complete -c berth -n "__fish_berth_using_subcommand volume; and __fish_seen_subcommand_from ls" -s h -l help -d 'Print help'
complete -c berth -n "__fish_berth_using_subcommand volume; and __fish_seen_subcommand_from ls" -s V -l version -d 'Print version'
complete -c berth -n "__fish_berth_using_subcommand volume; and __fish_seen_subcommand_from list" -s f -l filter -d 'Filter output (dangling=true|false, label=KEY[=VALUE], name=REGEXP, driver=…)' -r
complete -c berth -n "__fish_berth_using_subcommand volume; and __fish_seen_subcommand_from list" -l format -d 'Output format: table, json, or a Go template' -r
complete -c berth -n "__fish_berth_using_subcommand volume; and __fish_seen_subcommand_from list" -l root -d 'Directory for persistent data (images, layers, state database)' -r -F
complete -c berth -n "__fish_berth_using_subcommand volume; and __fish_seen_subcommand_from list" -l runroot -d 'Directory for volatile state (mounts, sockets)' -r -F
complete -c berth -n "__fish_berth_using_subcommand volume; and __fish_seen_subcommand_from list" -l log-level -d 'Log level for diagnostics on stderr' -r -f -a "trace\t''
debug\t''
info\t''
warn\t''
error\t''"
complete -c berth -n "__fish_berth_using_subcommand volume; and __fish_seen_subcommand_from list" -s q -l quiet -d 'Only display volume names'
complete -c berth -n "__fish_berth_using_subcommand volume; and __fish_seen_subcommand_from list" -l no-heading -d 'Print no header row (podman\'s spelling)'
complete -c berth -n "__fish_berth_using_subcommand volume; and __fish_seen_subcommand_from list" -s h -l help -d 'Print help'
complete -c berth -n "__fish_berth_using_subcommand volume; and __fish_seen_subcommand_from list" -s V -l version -d 'Print version'
complete -c berth -n "__fish_berth_using_subcommand volume; and __fish_seen_subcommand_from inspect" -s f -l format -d 'Format the output using a Go template, or json' -r
complete -c berth -n "__fish_berth_using_subcommand volume; and __fish_seen_subcommand_from inspect" -l root -d 'Directory for persistent data (images, layers, state database)' -r -F
complete -c berth -n "__fish_berth_using_subcommand volume; and __fish_seen_subcommand_from inspect" -l runroot -d 'Directory for volatile state (mounts, sockets)' -r -F
complete -c berth -n "__fish_berth_using_subcommand volume; and __fish_seen_subcommand_from inspect" -l log-level -d 'Log level for diagnostics on stderr' -r -f -a "trace\t''
debug\t''
info\t''
warn\t''
error\t''"
complete -c berth -n "__fish_berth_using_subcommand volume; and __fish_seen_subcommand_from inspect" -s h -l help -d 'Print help'
complete -c berth -n "__fish_berth_using_subcommand volume; and __fish_seen_subcommand_from inspect" -s V -l version -d 'Print version'
complete -c berth -n "__fish_berth_using_subcommand volume; and __fish_seen_subcommand_from rm" -l root -d 'Directory for persistent data (images, layers, state database)' -r -F
complete -c berth -n "__fish_berth_using_subcommand volume; and __fish_seen_subcommand_from rm" -l runroot -d 'Directory for volatile state (mounts, sockets)' -r -F
complete -c berth -n "__fish_berth_using_subcommand volume; and __fish_seen_subcommand_from rm" -l log-level -d 'Log level for diagnostics on stderr' -r -f -a "trace\t''
debug\t''
info\t''
warn\t''
error\t''"
complete -c berth -n "__fish_berth_using_subcommand volume; and __fish_seen_subcommand_from rm" -s f -l force -d 'Do not fail for volumes that do not exist (volumes in use are still refused)'
complete -c berth -n "__fish_berth_using_subcommand volume; and __fish_seen_subcommand_from rm" -s h -l help -d 'Print help'
complete -c berth -n "__fish_berth_using_subcommand volume; and __fish_seen_subcommand_from rm" -s V -l version -d 'Print version'
complete -c berth -n "__fish_berth_using_subcommand volume; and __fish_seen_subcommand_from remove" -l root -d 'Directory for persistent data (images, layers, state database)' -r -F
complete -c berth -n "__fish_berth_using_subcommand volume; and __fish_seen_subcommand_from remove" -l runroot -d 'Directory for volatile state (mounts, sockets)' -r -F
complete -c berth -n "__fish_berth_using_subcommand volume; and __fish_seen_subcommand_from remove" -l log-level -d 'Log level for diagnostics on stderr' -r -f -a "trace\t''
debug\t''
info\t''
warn\t''
error\t''"
complete -c berth -n "__fish_berth_using_subcommand volume; and __fish_seen_subcommand_from remove" -s f -l force -d 'Do not fail for volumes that do not exist (volumes in use are still refused)'
complete -c berth -n "__fish_berth_using_subcommand volume; and __fish_seen_subcommand_from remove" -s h -l help -d 'Print help'
complete -c berth -n "__fish_berth_using_subcommand volume; and __fish_seen_subcommand_from remove" -s V -l version -d 'Print version'
complete -c berth -n "__fish_berth_using_subcommand volume; and __fish_seen_subcommand_from prune" -l filter -d 'Filter (label=KEY[=VALUE], label!=KEY[=VALUE])' -r
complete -c berth -n "__fish_berth_using_subcommand volume; and __fish_seen_subcommand_from prune" -l root -d 'Directory for persistent data (images, layers, state database)' -r -F
complete -c berth -n "__fish_berth_using_subcommand volume; and __fish_seen_subcommand_from prune" -l runroot -d 'Directory for volatile state (mounts, sockets)' -r -F
complete -c berth -n "__fish_berth_using_subcommand volume; and __fish_seen_subcommand_from prune" -l log-level -d 'Log level for diagnostics on stderr' -r -f -a "trace\t''
debug\t''
info\t''
warn\t''
error\t''"
complete -c berth -n "__fish_berth_using_subcommand volume; and __fish_seen_subcommand_from prune" -s a -l all -d 'Remove all unused volumes, not just anonymous ones'
complete -c berth -n "__fish_berth_using_subcommand volume; and __fish_seen_subcommand_from prune" -s f -l force -d 'Do not prompt for confirmation'
complete -c berth -n "__fish_berth_using_subcommand volume; and __fish_seen_subcommand_from prune" -s h -l help -d 'Print help'
complete -c berth -n "__fish_berth_using_subcommand volume; and __fish_seen_subcommand_from prune" -s V -l version -d 'Print version'
complete -c berth -n "__fish_berth_using_subcommand volume; and __fish_seen_subcommand_from exists" -l root -d 'Directory for persistent data (images, layers, state database)' -r -F
complete -c berth -n "__fish_berth_using_subcommand volume; and __fish_seen_subcommand_from exists" -l runroot -d 'Directory for volatile state (mounts, sockets)' -r -F
complete -c berth -n "__fish_berth_using_subcommand volume; and __fish_seen_subcommand_from exists" -l log-level -d 'Log level for diagnostics on stderr' -r -f -a "trace\t''
debug\t''
info\t''
warn\t''
error\t''"
complete -c berth -n "__fish_berth_using_subcommand volume; and __fish_seen_subcommand_from exists" -s h -l help -d 'Print help'
complete -c berth -n "__fish_berth_using_subcommand volume; and __fish_seen_subcommand_from exists" -s V -l version -d 'Print version'
complete -c berth -n "__fish_berth_using_subcommand volume; and __fish_seen_subcommand_from help" -f -a "create" -d 'Create a volume'
complete -c berth -n "__fish_berth_using_subcommand volume; and __fish_seen_subcommand_from help" -f -a "ls" -d 'List volumes'
complete -c berth -n "__fish_berth_using_subcommand volume; and __fish_seen_subcommand_from help" -f -a "inspect" -d 'Display detailed information on one or more volumes'
complete -c berth -n "__fish_berth_using_subcommand volume; and __fish_seen_subcommand_from help" -f -a "rm" -d 'Remove one or more volumes'
complete -c berth -n "__fish_berth_using_subcommand volume; and __fish_seen_subcommand_from help" -f -a "prune" -d 'Remove unused local volumes'
complete -c berth -n "__fish_berth_using_subcommand volume; and __fish_seen_subcommand_from help" -f -a "exists" -d 'Exit 0 if the volume exists, 1 if not'
complete -c berth -n "__fish_berth_using_subcommand volume; and __fish_seen_subcommand_from help" -f -a "help" -d 'Print this message or the help of the given subcommand(s)'
complete -c berth -n "__fish_berth_using_subcommand system; and not __fish_seen_subcommand_from df prune reset service events info help" -l root -d 'Directory for persistent data (images, layers, state database)' -r -F
complete -c berth -n "__fish_berth_using_subcommand system; and not __fish_seen_subcommand_from df prune reset service events info help" -l runroot -d 'Directory for volatile state (mounts, sockets)' -r -F
complete -c berth -n "__fish_berth_using_subcommand system; and not __fish_seen_subcommand_from df prune reset service events info help" -l log-level -d 'Log level for diagnostics on stderr' -r -f -a "trace\t''
debug\t''
info\t''
warn\t''
error\t''"
complete -c berth -n "__fish_berth_using_subcommand system; and not __fish_seen_subcommand_from df prune reset service events info help" -s h -l help -d 'Print help'
complete -c berth -n "__fish_berth_using_subcommand system; and not __fish_seen_subcommand_from df prune reset service events info help" -s V -l version -d 'Print version'
complete -c berth -n "__fish_berth_using_subcommand system; and not __fish_seen_subcommand_from df prune reset service events info help" -f -a "df" -d 'Show disk usage'
complete -c berth -n "__fish_berth_using_subcommand system; and not __fish_seen_subcommand_from df prune reset service events info help" -f -a "prune" -d 'Remove unused data'
complete -c berth -n "__fish_berth_using_subcommand system; and not __fish_seen_subcommand_from df prune reset service events info help" -f -a "reset" -d 'Remove every container, network, volume and image, and berth\'s kernel state (bridges, firewall rules): the root and run root directories are deleted'
complete -c berth -n "__fish_berth_using_subcommand system; and not __fish_seen_subcommand_from df prune reset service events info help" -f -a "service" -d 'Serve the Docker Engine API on a unix socket (for the docker CLI, Compose, SDKs)'
complete -c berth -n "__fish_berth_using_subcommand system; and not __fish_seen_subcommand_from df prune reset service events info help" -f -a "events" -d 'Get real time events from the server'
complete -c berth -n "__fish_berth_using_subcommand system; and not __fish_seen_subcommand_from df prune reset service events info help" -f -a "info" -d 'Display system-wide information'
complete -c berth -n "__fish_berth_using_subcommand system; and not __fish_seen_subcommand_from df prune reset service events info help" -f -a "help" -d 'Print this message or the help of the given subcommand(s)'
complete -c berth -n "__fish_berth_using_subcommand system; and __fish_seen_subcommand_from df" -l format -d 'Output format: table, json, or a Go template' -r
complete -c berth -n "__fish_berth_using_subcommand system; and __fish_seen_subcommand_from df" -l root -d 'Directory for persistent data (images, layers, state database)' -r -F
complete -c berth -n "__fish_berth_using_subcommand system; and __fish_seen_subcommand_from df" -l runroot -d 'Directory for volatile state (mounts, sockets)' -r -F
complete -c berth -n "__fish_berth_using_subcommand system; and __fish_seen_subcommand_from df" -l log-level -d 'Log level for diagnostics on stderr' -r -f -a "trace\t''
debug\t''
info\t''
warn\t''
error\t''"
complete -c berth -n "__fish_berth_using_subcommand system; and __fish_seen_subcommand_from df" -s v -l verbose -d 'Show detailed information on space usage'
complete -c berth -n "__fish_berth_using_subcommand system; and __fish_seen_subcommand_from df" -s h -l help -d 'Print help'
complete -c berth -n "__fish_berth_using_subcommand system; and __fish_seen_subcommand_from df" -s V -l version -d 'Print version'
complete -c berth -n "__fish_berth_using_subcommand system; and __fish_seen_subcommand_from prune" -l filter -d 'Provide filter values (label=KEY[=VALUE], label!=KEY[=VALUE], until=TIME)' -r
complete -c berth -n "__fish_berth_using_subcommand system; and __fish_seen_subcommand_from prune" -l root -d 'Directory for persistent data (images, layers, state database)' -r -F
complete -c berth -n "__fish_berth_using_subcommand system; and __fish_seen_subcommand_from prune" -l runroot -d 'Directory for volatile state (mounts, sockets)' -r -F
complete -c berth -n "__fish_berth_using_subcommand system; and __fish_seen_subcommand_from prune" -l log-level -d 'Log level for diagnostics on stderr' -r -f -a "trace\t''
debug\t''
info\t''
warn\t''
error\t''"
complete -c berth -n "__fish_berth_using_subcommand system; and __fish_seen_subcommand_from prune" -s a -l all -d 'Remove all unused images, not just dangling ones'
complete -c berth -n "__fish_berth_using_subcommand system; and __fish_seen_subcommand_from prune" -l volumes -d 'Prune anonymous volumes'
complete -c berth -n "__fish_berth_using_subcommand system; and __fish_seen_subcommand_from prune" -s f -l force -d 'Do not prompt for confirmation'
complete -c berth -n "__fish_berth_using_subcommand system; and __fish_seen_subcommand_from prune" -s h -l help -d 'Print help'
complete -c berth -n "__fish_berth_using_subcommand system; and __fish_seen_subcommand_from prune" -s V -l version -d 'Print version'
complete -c berth -n "__fish_berth_using_subcommand system; and __fish_seen_subcommand_from reset" -l root -d 'Directory for persistent data (images, layers, state database)' -r -F
complete -c berth -n "__fish_berth_using_subcommand system; and __fish_seen_subcommand_from reset" -l runroot -d 'Directory for volatile state (mounts, sockets)' -r -F
complete -c berth -n "__fish_berth_using_subcommand system; and __fish_seen_subcommand_from reset" -l log-level -d 'Log level for diagnostics on stderr' -r -f -a "trace\t''
debug\t''
info\t''
warn\t''
error\t''"
complete -c berth -n "__fish_berth_using_subcommand system; and __fish_seen_subcommand_from reset" -s f -l force -d 'Do not prompt for confirmation'
complete -c berth -n "__fish_berth_using_subcommand system; and __fish_seen_subcommand_from reset" -s h -l help -d 'Print help'
complete -c berth -n "__fish_berth_using_subcommand system; and __fish_seen_subcommand_from reset" -s V -l version -d 'Print version'
complete -c berth -n "__fish_berth_using_subcommand system; and __fish_seen_subcommand_from service" -s t -l time -d 'Exit after this many seconds without a connection (0: never)' -r
complete -c berth -n "__fish_berth_using_subcommand system; and __fish_seen_subcommand_from service" -l group -d 'The group that may use the socket (mode 0660)' -r
complete -c berth -n "__fish_berth_using_subcommand system; and __fish_seen_subcommand_from service" -l root -d 'Directory for persistent data (images, layers, state database)' -r -F
complete -c berth -n "__fish_berth_using_subcommand system; and __fish_seen_subcommand_from service" -l runroot -d 'Directory for volatile state (mounts, sockets)' -r -F
complete -c berth -n "__fish_berth_using_subcommand system; and __fish_seen_subcommand_from service" -l log-level -d 'Log level for diagnostics on stderr' -r -f -a "trace\t''
debug\t''
info\t''
warn\t''
error\t''"
complete -c berth -n "__fish_berth_using_subcommand system; and __fish_seen_subcommand_from service" -s h -l help -d 'Print help'
complete -c berth -n "__fish_berth_using_subcommand system; and __fish_seen_subcommand_from service" -s V -l version -d 'Print version'
complete -c berth -n "__fish_berth_using_subcommand system; and __fish_seen_subcommand_from events" -l since -d 'Show all events created since timestamp' -r
complete -c berth -n "__fish_berth_using_subcommand system; and __fish_seen_subcommand_from events" -l until -d 'Stream events until this timestamp' -r
complete -c berth -n "__fish_berth_using_subcommand system; and __fish_seen_subcommand_from events" -s f -l filter -d 'Filter output based on conditions provided (KEY=VALUE: container, image, event, type, label, network, volume)' -r
complete -c berth -n "__fish_berth_using_subcommand system; and __fish_seen_subcommand_from events" -l format -d 'Format output using a Go template (\'{{json .}}\', \'{{.Action}}\', …) or "json"' -r
complete -c berth -n "__fish_berth_using_subcommand system; and __fish_seen_subcommand_from events" -l root -d 'Directory for persistent data (images, layers, state database)' -r -F
complete -c berth -n "__fish_berth_using_subcommand system; and __fish_seen_subcommand_from events" -l runroot -d 'Directory for volatile state (mounts, sockets)' -r -F
complete -c berth -n "__fish_berth_using_subcommand system; and __fish_seen_subcommand_from events" -l log-level -d 'Log level for diagnostics on stderr' -r -f -a "trace\t''
debug\t''
info\t''
warn\t''
error\t''"
complete -c berth -n "__fish_berth_using_subcommand system; and __fish_seen_subcommand_from events" -s h -l help -d 'Print help'
complete -c berth -n "__fish_berth_using_subcommand system; and __fish_seen_subcommand_from events" -s V -l version -d 'Print version'
complete -c berth -n "__fish_berth_using_subcommand system; and __fish_seen_subcommand_from info" -s f -l format -d 'Format output using a custom template: \'json\', or a Go template' -r
complete -c berth -n "__fish_berth_using_subcommand system; and __fish_seen_subcommand_from info" -l root -d 'Directory for persistent data (images, layers, state database)' -r -F
complete -c berth -n "__fish_berth_using_subcommand system; and __fish_seen_subcommand_from info" -l runroot -d 'Directory for volatile state (mounts, sockets)' -r -F
complete -c berth -n "__fish_berth_using_subcommand system; and __fish_seen_subcommand_from info" -l log-level -d 'Log level for diagnostics on stderr' -r -f -a "trace\t''
debug\t''
info\t''
warn\t''
error\t''"
complete -c berth -n "__fish_berth_using_subcommand system; and __fish_seen_subcommand_from info" -s h -l help -d 'Print help'
complete -c berth -n "__fish_berth_using_subcommand system; and __fish_seen_subcommand_from info" -s V -l version -d 'Print version'
complete -c berth -n "__fish_berth_using_subcommand system; and __fish_seen_subcommand_from help" -f -a "df" -d 'Show disk usage'
complete -c berth -n "__fish_berth_using_subcommand system; and __fish_seen_subcommand_from help" -f -a "prune" -d 'Remove unused data'
complete -c berth -n "__fish_berth_using_subcommand system; and __fish_seen_subcommand_from help" -f -a "reset" -d 'Remove every container, network, volume and image, and berth\'s kernel state (bridges, firewall rules): the root and run root directories are deleted'
complete -c berth -n "__fish_berth_using_subcommand system; and __fish_seen_subcommand_from help" -f -a "service" -d 'Serve the Docker Engine API on a unix socket (for the docker CLI, Compose, SDKs)'
complete -c berth -n "__fish_berth_using_subcommand system; and __fish_seen_subcommand_from help" -f -a "events" -d 'Get real time events from the server'
complete -c berth -n "__fish_berth_using_subcommand system; and __fish_seen_subcommand_from help" -f -a "info" -d 'Display system-wide information'
complete -c berth -n "__fish_berth_using_subcommand system; and __fish_seen_subcommand_from help" -f -a "help" -d 'Print this message or the help of the given subcommand(s)'
complete -c berth -n "__fish_berth_using_subcommand stats" -l format -d 'Format output using a custom template: \'table\', \'table TEMPLATE\', \'json\', or a Go template' -r
complete -c berth -n "__fish_berth_using_subcommand stats" -l root -d 'Directory for persistent data (images, layers, state database)' -r -F
complete -c berth -n "__fish_berth_using_subcommand stats" -l runroot -d 'Directory for volatile state (mounts, sockets)' -r -F
complete -c berth -n "__fish_berth_using_subcommand stats" -l log-level -d 'Log level for diagnostics on stderr' -r -f -a "trace\t''
debug\t''
info\t''
warn\t''
error\t''"
complete -c berth -n "__fish_berth_using_subcommand stats" -s a -l all -d 'Show all containers (default shows just running)'
complete -c berth -n "__fish_berth_using_subcommand stats" -l no-stream -d 'Disable streaming stats and only pull the first result'
complete -c berth -n "__fish_berth_using_subcommand stats" -l no-trunc -d 'Do not truncate output'
complete -c berth -n "__fish_berth_using_subcommand stats" -s h -l help -d 'Print help'
complete -c berth -n "__fish_berth_using_subcommand stats" -s V -l version -d 'Print version'
complete -c berth -n "__fish_berth_using_subcommand events" -l since -d 'Show all events created since timestamp' -r
complete -c berth -n "__fish_berth_using_subcommand events" -l until -d 'Stream events until this timestamp' -r
complete -c berth -n "__fish_berth_using_subcommand events" -s f -l filter -d 'Filter output based on conditions provided (KEY=VALUE: container, image, event, type, label, network, volume)' -r
complete -c berth -n "__fish_berth_using_subcommand events" -l format -d 'Format output using a Go template (\'{{json .}}\', \'{{.Action}}\', …) or "json"' -r
complete -c berth -n "__fish_berth_using_subcommand events" -l root -d 'Directory for persistent data (images, layers, state database)' -r -F
complete -c berth -n "__fish_berth_using_subcommand events" -l runroot -d 'Directory for volatile state (mounts, sockets)' -r -F
complete -c berth -n "__fish_berth_using_subcommand events" -l log-level -d 'Log level for diagnostics on stderr' -r -f -a "trace\t''
debug\t''
info\t''
warn\t''
error\t''"
complete -c berth -n "__fish_berth_using_subcommand events" -s h -l help -d 'Print help'
complete -c berth -n "__fish_berth_using_subcommand events" -s V -l version -d 'Print version'
complete -c berth -n "__fish_berth_using_subcommand version" -s f -l format -d 'Format output using a custom template: \'json\', or a Go template' -r
complete -c berth -n "__fish_berth_using_subcommand version" -l root -d 'Directory for persistent data (images, layers, state database)' -r -F
complete -c berth -n "__fish_berth_using_subcommand version" -l runroot -d 'Directory for volatile state (mounts, sockets)' -r -F
complete -c berth -n "__fish_berth_using_subcommand version" -l log-level -d 'Log level for diagnostics on stderr' -r -f -a "trace\t''
debug\t''
info\t''
warn\t''
error\t''"
complete -c berth -n "__fish_berth_using_subcommand version" -s h -l help -d 'Print help'
complete -c berth -n "__fish_berth_using_subcommand version" -s V -l version -d 'Print version'
complete -c berth -n "__fish_berth_using_subcommand info" -s f -l format -d 'Format output using a custom template: \'json\', or a Go template' -r
complete -c berth -n "__fish_berth_using_subcommand info" -l root -d 'Directory for persistent data (images, layers, state database)' -r -F
complete -c berth -n "__fish_berth_using_subcommand info" -l runroot -d 'Directory for volatile state (mounts, sockets)' -r -F
complete -c berth -n "__fish_berth_using_subcommand info" -l log-level -d 'Log level for diagnostics on stderr' -r -f -a "trace\t''
debug\t''
info\t''
warn\t''
error\t''"
complete -c berth -n "__fish_berth_using_subcommand info" -s h -l help -d 'Print help'
complete -c berth -n "__fish_berth_using_subcommand info" -s V -l version -d 'Print version'
complete -c berth -n "__fish_berth_using_subcommand port" -l root -d 'Directory for persistent data (images, layers, state database)' -r -F
complete -c berth -n "__fish_berth_using_subcommand port" -l runroot -d 'Directory for volatile state (mounts, sockets)' -r -F
complete -c berth -n "__fish_berth_using_subcommand port" -l log-level -d 'Log level for diagnostics on stderr' -r -f -a "trace\t''
debug\t''
info\t''
warn\t''
error\t''"
complete -c berth -n "__fish_berth_using_subcommand port" -s h -l help -d 'Print help'
complete -c berth -n "__fish_berth_using_subcommand port" -s V -l version -d 'Print version'
complete -c berth -n "__fish_berth_using_subcommand login" -s u -l username -d 'Username' -r
complete -c berth -n "__fish_berth_using_subcommand login" -s p -l password -d 'Password (prefer --password-stdin)' -r
complete -c berth -n "__fish_berth_using_subcommand login" -l tls-verify -d 'Require HTTPS and verify certificates' -r -f -a "true\t''
false\t''"
complete -c berth -n "__fish_berth_using_subcommand login" -l root -d 'Directory for persistent data (images, layers, state database)' -r -F
complete -c berth -n "__fish_berth_using_subcommand login" -l runroot -d 'Directory for volatile state (mounts, sockets)' -r -F
complete -c berth -n "__fish_berth_using_subcommand login" -l log-level -d 'Log level for diagnostics on stderr' -r -f -a "trace\t''
debug\t''
info\t''
warn\t''
error\t''"
complete -c berth -n "__fish_berth_using_subcommand login" -l password-stdin -d 'Read the password from stdin'
complete -c berth -n "__fish_berth_using_subcommand login" -s h -l help -d 'Print help'
complete -c berth -n "__fish_berth_using_subcommand login" -s V -l version -d 'Print version'
complete -c berth -n "__fish_berth_using_subcommand logout" -l root -d 'Directory for persistent data (images, layers, state database)' -r -F
complete -c berth -n "__fish_berth_using_subcommand logout" -l runroot -d 'Directory for volatile state (mounts, sockets)' -r -F
complete -c berth -n "__fish_berth_using_subcommand logout" -l log-level -d 'Log level for diagnostics on stderr' -r -f -a "trace\t''
debug\t''
info\t''
warn\t''
error\t''"
complete -c berth -n "__fish_berth_using_subcommand logout" -s h -l help -d 'Print help'
complete -c berth -n "__fish_berth_using_subcommand logout" -s V -l version -d 'Print version'
complete -c berth -n "__fish_berth_using_subcommand completion" -l root -d 'Directory for persistent data (images, layers, state database)' -r -F
complete -c berth -n "__fish_berth_using_subcommand completion" -l runroot -d 'Directory for volatile state (mounts, sockets)' -r -F
complete -c berth -n "__fish_berth_using_subcommand completion" -l log-level -d 'Log level for diagnostics on stderr' -r -f -a "trace\t''
debug\t''
info\t''
warn\t''
error\t''"
complete -c berth -n "__fish_berth_using_subcommand completion" -s h -l help -d 'Print help'
complete -c berth -n "__fish_berth_using_subcommand completion" -s V -l version -d 'Print version'
complete -c berth -n "__fish_berth_using_subcommand container-monitor" -l root -d 'Directory for persistent data (images, layers, state database)' -r -F
complete -c berth -n "__fish_berth_using_subcommand container-monitor" -l runroot -d 'Directory for volatile state (mounts, sockets)' -r -F
complete -c berth -n "__fish_berth_using_subcommand container-monitor" -l log-level -d 'Log level for diagnostics on stderr' -r -f -a "trace\t''
debug\t''
info\t''
warn\t''
error\t''"
complete -c berth -n "__fish_berth_using_subcommand container-monitor" -s h -l help -d 'Print help'
complete -c berth -n "__fish_berth_using_subcommand container-monitor" -s V -l version -d 'Print version'
complete -c berth -n "__fish_berth_using_subcommand container-health-probe" -l root -d 'Directory for persistent data (images, layers, state database)' -r -F
complete -c berth -n "__fish_berth_using_subcommand container-health-probe" -l runroot -d 'Directory for volatile state (mounts, sockets)' -r -F
complete -c berth -n "__fish_berth_using_subcommand container-health-probe" -l log-level -d 'Log level for diagnostics on stderr' -r -f -a "trace\t''
debug\t''
info\t''
warn\t''
error\t''"
complete -c berth -n "__fish_berth_using_subcommand container-health-probe" -s h -l help -d 'Print help'
complete -c berth -n "__fish_berth_using_subcommand container-health-probe" -s V -l version -d 'Print version'
complete -c berth -n "__fish_berth_using_subcommand exec-child" -l root -d 'Directory for persistent data (images, layers, state database)' -r -F
complete -c berth -n "__fish_berth_using_subcommand exec-child" -l runroot -d 'Directory for volatile state (mounts, sockets)' -r -F
complete -c berth -n "__fish_berth_using_subcommand exec-child" -l log-level -d 'Log level for diagnostics on stderr' -r -f -a "trace\t''
debug\t''
info\t''
warn\t''
error\t''"
complete -c berth -n "__fish_berth_using_subcommand exec-child" -l detach
complete -c berth -n "__fish_berth_using_subcommand exec-child" -l prefix
complete -c berth -n "__fish_berth_using_subcommand exec-child" -s h -l help -d 'Print help'
complete -c berth -n "__fish_berth_using_subcommand exec-child" -s V -l version -d 'Print version'
complete -c berth -n "__fish_berth_using_subcommand generate-man" -l root -d 'Directory for persistent data (images, layers, state database)' -r -F
complete -c berth -n "__fish_berth_using_subcommand generate-man" -l runroot -d 'Directory for volatile state (mounts, sockets)' -r -F
complete -c berth -n "__fish_berth_using_subcommand generate-man" -l log-level -d 'Log level for diagnostics on stderr' -r -f -a "trace\t''
debug\t''
info\t''
warn\t''
error\t''"
complete -c berth -n "__fish_berth_using_subcommand generate-man" -s h -l help -d 'Print help'
complete -c berth -n "__fish_berth_using_subcommand generate-man" -s V -l version -d 'Print version'
complete -c berth -n "__fish_berth_using_subcommand help; and not __fish_seen_subcommand_from run create start stop restart kill rm ps logs wait rename update exec attach top pause cp export diff unpause container pull push images rmi tag untag inspect history build builder commit save load import image network volume system stats events version info port login logout completion container-monitor container-health-probe exec-child generate-man help" -f -a "run" -d 'Create and run a new container from an image'
complete -c berth -n "__fish_berth_using_subcommand help; and not __fish_seen_subcommand_from run create start stop restart kill rm ps logs wait rename update exec attach top pause cp export diff unpause container pull push images rmi tag untag inspect history build builder commit save load import image network volume system stats events version info port login logout completion container-monitor container-health-probe exec-child generate-man help" -f -a "create" -d 'Create a new container'
complete -c berth -n "__fish_berth_using_subcommand help; and not __fish_seen_subcommand_from run create start stop restart kill rm ps logs wait rename update exec attach top pause cp export diff unpause container pull push images rmi tag untag inspect history build builder commit save load import image network volume system stats events version info port login logout completion container-monitor container-health-probe exec-child generate-man help" -f -a "start" -d 'Start one or more stopped containers'
complete -c berth -n "__fish_berth_using_subcommand help; and not __fish_seen_subcommand_from run create start stop restart kill rm ps logs wait rename update exec attach top pause cp export diff unpause container pull push images rmi tag untag inspect history build builder commit save load import image network volume system stats events version info port login logout completion container-monitor container-health-probe exec-child generate-man help" -f -a "stop" -d 'Stop one or more running containers'
complete -c berth -n "__fish_berth_using_subcommand help; and not __fish_seen_subcommand_from run create start stop restart kill rm ps logs wait rename update exec attach top pause cp export diff unpause container pull push images rmi tag untag inspect history build builder commit save load import image network volume system stats events version info port login logout completion container-monitor container-health-probe exec-child generate-man help" -f -a "restart" -d 'Restart one or more containers'
complete -c berth -n "__fish_berth_using_subcommand help; and not __fish_seen_subcommand_from run create start stop restart kill rm ps logs wait rename update exec attach top pause cp export diff unpause container pull push images rmi tag untag inspect history build builder commit save load import image network volume system stats events version info port login logout completion container-monitor container-health-probe exec-child generate-man help" -f -a "kill" -d 'Kill one or more running containers'
complete -c berth -n "__fish_berth_using_subcommand help; and not __fish_seen_subcommand_from run create start stop restart kill rm ps logs wait rename update exec attach top pause cp export diff unpause container pull push images rmi tag untag inspect history build builder commit save load import image network volume system stats events version info port login logout completion container-monitor container-health-probe exec-child generate-man help" -f -a "rm" -d 'Remove one or more containers'
complete -c berth -n "__fish_berth_using_subcommand help; and not __fish_seen_subcommand_from run create start stop restart kill rm ps logs wait rename update exec attach top pause cp export diff unpause container pull push images rmi tag untag inspect history build builder commit save load import image network volume system stats events version info port login logout completion container-monitor container-health-probe exec-child generate-man help" -f -a "ps" -d 'List containers'
complete -c berth -n "__fish_berth_using_subcommand help; and not __fish_seen_subcommand_from run create start stop restart kill rm ps logs wait rename update exec attach top pause cp export diff unpause container pull push images rmi tag untag inspect history build builder commit save load import image network volume system stats events version info port login logout completion container-monitor container-health-probe exec-child generate-man help" -f -a "logs" -d 'Fetch the logs of a container'
complete -c berth -n "__fish_berth_using_subcommand help; and not __fish_seen_subcommand_from run create start stop restart kill rm ps logs wait rename update exec attach top pause cp export diff unpause container pull push images rmi tag untag inspect history build builder commit save load import image network volume system stats events version info port login logout completion container-monitor container-health-probe exec-child generate-man help" -f -a "wait" -d 'Block until one or more containers stop, then print their exit codes'
complete -c berth -n "__fish_berth_using_subcommand help; and not __fish_seen_subcommand_from run create start stop restart kill rm ps logs wait rename update exec attach top pause cp export diff unpause container pull push images rmi tag untag inspect history build builder commit save load import image network volume system stats events version info port login logout completion container-monitor container-health-probe exec-child generate-man help" -f -a "rename" -d 'Rename a container'
complete -c berth -n "__fish_berth_using_subcommand help; and not __fish_seen_subcommand_from run create start stop restart kill rm ps logs wait rename update exec attach top pause cp export diff unpause container pull push images rmi tag untag inspect history build builder commit save load import image network volume system stats events version info port login logout completion container-monitor container-health-probe exec-child generate-man help" -f -a "update" -d 'Update configuration of one or more containers'
complete -c berth -n "__fish_berth_using_subcommand help; and not __fish_seen_subcommand_from run create start stop restart kill rm ps logs wait rename update exec attach top pause cp export diff unpause container pull push images rmi tag untag inspect history build builder commit save load import image network volume system stats events version info port login logout completion container-monitor container-health-probe exec-child generate-man help" -f -a "exec" -d 'Execute a command in a running container'
complete -c berth -n "__fish_berth_using_subcommand help; and not __fish_seen_subcommand_from run create start stop restart kill rm ps logs wait rename update exec attach top pause cp export diff unpause container pull push images rmi tag untag inspect history build builder commit save load import image network volume system stats events version info port login logout completion container-monitor container-health-probe exec-child generate-man help" -f -a "attach" -d 'Attach local standard input, output, and error streams to a running container'
complete -c berth -n "__fish_berth_using_subcommand help; and not __fish_seen_subcommand_from run create start stop restart kill rm ps logs wait rename update exec attach top pause cp export diff unpause container pull push images rmi tag untag inspect history build builder commit save load import image network volume system stats events version info port login logout completion container-monitor container-health-probe exec-child generate-man help" -f -a "top" -d 'Display the running processes of a container'
complete -c berth -n "__fish_berth_using_subcommand help; and not __fish_seen_subcommand_from run create start stop restart kill rm ps logs wait rename update exec attach top pause cp export diff unpause container pull push images rmi tag untag inspect history build builder commit save load import image network volume system stats events version info port login logout completion container-monitor container-health-probe exec-child generate-man help" -f -a "pause" -d 'Pause all processes within one or more containers'
complete -c berth -n "__fish_berth_using_subcommand help; and not __fish_seen_subcommand_from run create start stop restart kill rm ps logs wait rename update exec attach top pause cp export diff unpause container pull push images rmi tag untag inspect history build builder commit save load import image network volume system stats events version info port login logout completion container-monitor container-health-probe exec-child generate-man help" -f -a "cp" -d 'Copy files/folders between a container and the local filesystem'
complete -c berth -n "__fish_berth_using_subcommand help; and not __fish_seen_subcommand_from run create start stop restart kill rm ps logs wait rename update exec attach top pause cp export diff unpause container pull push images rmi tag untag inspect history build builder commit save load import image network volume system stats events version info port login logout completion container-monitor container-health-probe exec-child generate-man help" -f -a "export" -d 'Export a container\'s filesystem as a tar archive'
complete -c berth -n "__fish_berth_using_subcommand help; and not __fish_seen_subcommand_from run create start stop restart kill rm ps logs wait rename update exec attach top pause cp export diff unpause container pull push images rmi tag untag inspect history build builder commit save load import image network volume system stats events version info port login logout completion container-monitor container-health-probe exec-child generate-man help" -f -a "diff" -d 'Inspect changes to files or directories on a container\'s filesystem'
complete -c berth -n "__fish_berth_using_subcommand help; and not __fish_seen_subcommand_from run create start stop restart kill rm ps logs wait rename update exec attach top pause cp export diff unpause container pull push images rmi tag untag inspect history build builder commit save load import image network volume system stats events version info port login logout completion container-monitor container-health-probe exec-child generate-man help" -f -a "unpause" -d 'Unpause all processes within one or more containers'
complete -c berth -n "__fish_berth_using_subcommand help; and not __fish_seen_subcommand_from run create start stop restart kill rm ps logs wait rename update exec attach top pause cp export diff unpause container pull push images rmi tag untag inspect history build builder commit save load import image network volume system stats events version info port login logout completion container-monitor container-health-probe exec-child generate-man help" -f -a "container" -d 'Manage containers'
complete -c berth -n "__fish_berth_using_subcommand help; and not __fish_seen_subcommand_from run create start stop restart kill rm ps logs wait rename update exec attach top pause cp export diff unpause container pull push images rmi tag untag inspect history build builder commit save load import image network volume system stats events version info port login logout completion container-monitor container-health-probe exec-child generate-man help" -f -a "pull" -d 'Download an image from a registry'
complete -c berth -n "__fish_berth_using_subcommand help; and not __fish_seen_subcommand_from run create start stop restart kill rm ps logs wait rename update exec attach top pause cp export diff unpause container pull push images rmi tag untag inspect history build builder commit save load import image network volume system stats events version info port login logout completion container-monitor container-health-probe exec-child generate-man help" -f -a "push" -d 'Upload an image to a registry'
complete -c berth -n "__fish_berth_using_subcommand help; and not __fish_seen_subcommand_from run create start stop restart kill rm ps logs wait rename update exec attach top pause cp export diff unpause container pull push images rmi tag untag inspect history build builder commit save load import image network volume system stats events version info port login logout completion container-monitor container-health-probe exec-child generate-man help" -f -a "images" -d 'List images'
complete -c berth -n "__fish_berth_using_subcommand help; and not __fish_seen_subcommand_from run create start stop restart kill rm ps logs wait rename update exec attach top pause cp export diff unpause container pull push images rmi tag untag inspect history build builder commit save load import image network volume system stats events version info port login logout completion container-monitor container-health-probe exec-child generate-man help" -f -a "rmi" -d 'Remove one or more images'
complete -c berth -n "__fish_berth_using_subcommand help; and not __fish_seen_subcommand_from run create start stop restart kill rm ps logs wait rename update exec attach top pause cp export diff unpause container pull push images rmi tag untag inspect history build builder commit save load import image network volume system stats events version info port login logout completion container-monitor container-health-probe exec-child generate-man help" -f -a "tag" -d 'Create a tag TARGET_IMAGE that refers to SOURCE_IMAGE'
complete -c berth -n "__fish_berth_using_subcommand help; and not __fish_seen_subcommand_from run create start stop restart kill rm ps logs wait rename update exec attach top pause cp export diff unpause container pull push images rmi tag untag inspect history build builder commit save load import image network volume system stats events version info port login logout completion container-monitor container-health-probe exec-child generate-man help" -f -a "untag" -d 'Remove names from an image (all of them without NAME); the image stays'
complete -c berth -n "__fish_berth_using_subcommand help; and not __fish_seen_subcommand_from run create start stop restart kill rm ps logs wait rename update exec attach top pause cp export diff unpause container pull push images rmi tag untag inspect history build builder commit save load import image network volume system stats events version info port login logout completion container-monitor container-health-probe exec-child generate-man help" -f -a "inspect" -d 'Show low-level information on images'
complete -c berth -n "__fish_berth_using_subcommand help; and not __fish_seen_subcommand_from run create start stop restart kill rm ps logs wait rename update exec attach top pause cp export diff unpause container pull push images rmi tag untag inspect history build builder commit save load import image network volume system stats events version info port login logout completion container-monitor container-health-probe exec-child generate-man help" -f -a "history" -d 'Show the history of an image'
complete -c berth -n "__fish_berth_using_subcommand help; and not __fish_seen_subcommand_from run create start stop restart kill rm ps logs wait rename update exec attach top pause cp export diff unpause container pull push images rmi tag untag inspect history build builder commit save load import image network volume system stats events version info port login logout completion container-monitor container-health-probe exec-child generate-man help" -f -a "build" -d 'Build an image from a Dockerfile'
complete -c berth -n "__fish_berth_using_subcommand help; and not __fish_seen_subcommand_from run create start stop restart kill rm ps logs wait rename update exec attach top pause cp export diff unpause container pull push images rmi tag untag inspect history build builder commit save load import image network volume system stats events version info port login logout completion container-monitor container-health-probe exec-child generate-man help" -f -a "builder" -d 'Manage builds'
complete -c berth -n "__fish_berth_using_subcommand help; and not __fish_seen_subcommand_from run create start stop restart kill rm ps logs wait rename update exec attach top pause cp export diff unpause container pull push images rmi tag untag inspect history build builder commit save load import image network volume system stats events version info port login logout completion container-monitor container-health-probe exec-child generate-man help" -f -a "commit" -d 'Create a new image from a container\'s changes'
complete -c berth -n "__fish_berth_using_subcommand help; and not __fish_seen_subcommand_from run create start stop restart kill rm ps logs wait rename update exec attach top pause cp export diff unpause container pull push images rmi tag untag inspect history build builder commit save load import image network volume system stats events version info port login logout completion container-monitor container-health-probe exec-child generate-man help" -f -a "save" -d 'Save one or more images to a tar archive (streamed to STDOUT by default)'
complete -c berth -n "__fish_berth_using_subcommand help; and not __fish_seen_subcommand_from run create start stop restart kill rm ps logs wait rename update exec attach top pause cp export diff unpause container pull push images rmi tag untag inspect history build builder commit save load import image network volume system stats events version info port login logout completion container-monitor container-health-probe exec-child generate-man help" -f -a "load" -d 'Load an image from a tar archive or STDIN'
complete -c berth -n "__fish_berth_using_subcommand help; and not __fish_seen_subcommand_from run create start stop restart kill rm ps logs wait rename update exec attach top pause cp export diff unpause container pull push images rmi tag untag inspect history build builder commit save load import image network volume system stats events version info port login logout completion container-monitor container-health-probe exec-child generate-man help" -f -a "import" -d 'Import the contents from a tarball to create a filesystem image'
complete -c berth -n "__fish_berth_using_subcommand help; and not __fish_seen_subcommand_from run create start stop restart kill rm ps logs wait rename update exec attach top pause cp export diff unpause container pull push images rmi tag untag inspect history build builder commit save load import image network volume system stats events version info port login logout completion container-monitor container-health-probe exec-child generate-man help" -f -a "image" -d 'Manage images'
complete -c berth -n "__fish_berth_using_subcommand help; and not __fish_seen_subcommand_from run create start stop restart kill rm ps logs wait rename update exec attach top pause cp export diff unpause container pull push images rmi tag untag inspect history build builder commit save load import image network volume system stats events version info port login logout completion container-monitor container-health-probe exec-child generate-man help" -f -a "network" -d 'Manage networks'
complete -c berth -n "__fish_berth_using_subcommand help; and not __fish_seen_subcommand_from run create start stop restart kill rm ps logs wait rename update exec attach top pause cp export diff unpause container pull push images rmi tag untag inspect history build builder commit save load import image network volume system stats events version info port login logout completion container-monitor container-health-probe exec-child generate-man help" -f -a "volume" -d 'Manage volumes'
complete -c berth -n "__fish_berth_using_subcommand help; and not __fish_seen_subcommand_from run create start stop restart kill rm ps logs wait rename update exec attach top pause cp export diff unpause container pull push images rmi tag untag inspect history build builder commit save load import image network volume system stats events version info port login logout completion container-monitor container-health-probe exec-child generate-man help" -f -a "system" -d 'Manage berth (disk usage, prune, reset)'
complete -c berth -n "__fish_berth_using_subcommand help; and not __fish_seen_subcommand_from run create start stop restart kill rm ps logs wait rename update exec attach top pause cp export diff unpause container pull push images rmi tag untag inspect history build builder commit save load import image network volume system stats events version info port login logout completion container-monitor container-health-probe exec-child generate-man help" -f -a "stats" -d 'Display a live stream of container(s) resource usage statistics'
complete -c berth -n "__fish_berth_using_subcommand help; and not __fish_seen_subcommand_from run create start stop restart kill rm ps logs wait rename update exec attach top pause cp export diff unpause container pull push images rmi tag untag inspect history build builder commit save load import image network volume system stats events version info port login logout completion container-monitor container-health-probe exec-child generate-man help" -f -a "events" -d 'Get real time events from the server'
complete -c berth -n "__fish_berth_using_subcommand help; and not __fish_seen_subcommand_from run create start stop restart kill rm ps logs wait rename update exec attach top pause cp export diff unpause container pull push images rmi tag untag inspect history build builder commit save load import image network volume system stats events version info port login logout completion container-monitor container-health-probe exec-child generate-man help" -f -a "version" -d 'Show the berth version information'
complete -c berth -n "__fish_berth_using_subcommand help; and not __fish_seen_subcommand_from run create start stop restart kill rm ps logs wait rename update exec attach top pause cp export diff unpause container pull push images rmi tag untag inspect history build builder commit save load import image network volume system stats events version info port login logout completion container-monitor container-health-probe exec-child generate-man help" -f -a "info" -d 'Display system-wide information'
complete -c berth -n "__fish_berth_using_subcommand help; and not __fish_seen_subcommand_from run create start stop restart kill rm ps logs wait rename update exec attach top pause cp export diff unpause container pull push images rmi tag untag inspect history build builder commit save load import image network volume system stats events version info port login logout completion container-monitor container-health-probe exec-child generate-man help" -f -a "port" -d 'List port mappings or a specific mapping for the container'
complete -c berth -n "__fish_berth_using_subcommand help; and not __fish_seen_subcommand_from run create start stop restart kill rm ps logs wait rename update exec attach top pause cp export diff unpause container pull push images rmi tag untag inspect history build builder commit save load import image network volume system stats events version info port login logout completion container-monitor container-health-probe exec-child generate-man help" -f -a "login" -d 'Log in to a registry'
complete -c berth -n "__fish_berth_using_subcommand help; and not __fish_seen_subcommand_from run create start stop restart kill rm ps logs wait rename update exec attach top pause cp export diff unpause container pull push images rmi tag untag inspect history build builder commit save load import image network volume system stats events version info port login logout completion container-monitor container-health-probe exec-child generate-man help" -f -a "logout" -d 'Log out from a registry'
complete -c berth -n "__fish_berth_using_subcommand help; and not __fish_seen_subcommand_from run create start stop restart kill rm ps logs wait rename update exec attach top pause cp export diff unpause container pull push images rmi tag untag inspect history build builder commit save load import image network volume system stats events version info port login logout completion container-monitor container-health-probe exec-child generate-man help" -f -a "completion" -d 'Print a shell completion script'
complete -c berth -n "__fish_berth_using_subcommand help; and not __fish_seen_subcommand_from run create start stop restart kill rm ps logs wait rename update exec attach top pause cp export diff unpause container pull push images rmi tag untag inspect history build builder commit save load import image network volume system stats events version info port login logout completion container-monitor container-health-probe exec-child generate-man help" -f -a "container-monitor" -d 'The per-container monitor (started by berth itself)'
complete -c berth -n "__fish_berth_using_subcommand help; and not __fish_seen_subcommand_from run create start stop restart kill rm ps logs wait rename update exec attach top pause cp export diff unpause container pull push images rmi tag untag inspect history build builder commit save load import image network volume system stats events version info port login logout completion container-monitor container-health-probe exec-child generate-man help" -f -a "container-health-probe" -d 'Runs one health check probe of a container (started by its monitor)'
complete -c berth -n "__fish_berth_using_subcommand help; and not __fish_seen_subcommand_from run create start stop restart kill rm ps logs wait rename update exec attach top pause cp export diff unpause container pull push images rmi tag untag inspect history build builder commit save load import image network volume system stats events version info port login logout completion container-monitor container-health-probe exec-child generate-man help" -f -a "exec-child" -d 'Runs an exec started through the Engine API (started by the service)'
complete -c berth -n "__fish_berth_using_subcommand help; and not __fish_seen_subcommand_from run create start stop restart kill rm ps logs wait rename update exec attach top pause cp export diff unpause container pull push images rmi tag untag inspect history build builder commit save load import image network volume system stats events version info port login logout completion container-monitor container-health-probe exec-child generate-man help" -f -a "generate-man" -d 'Write man pages into a directory (used by scripts/gen-docs)'
complete -c berth -n "__fish_berth_using_subcommand help; and not __fish_seen_subcommand_from run create start stop restart kill rm ps logs wait rename update exec attach top pause cp export diff unpause container pull push images rmi tag untag inspect history build builder commit save load import image network volume system stats events version info port login logout completion container-monitor container-health-probe exec-child generate-man help" -f -a "help" -d 'Print this message or the help of the given subcommand(s)'
complete -c berth -n "__fish_berth_using_subcommand help; and __fish_seen_subcommand_from container" -f -a "run" -d 'Create and run a new container from an image'
complete -c berth -n "__fish_berth_using_subcommand help; and __fish_seen_subcommand_from container" -f -a "create" -d 'Create a new container'
complete -c berth -n "__fish_berth_using_subcommand help; and __fish_seen_subcommand_from container" -f -a "start" -d 'Start one or more stopped containers'
complete -c berth -n "__fish_berth_using_subcommand help; and __fish_seen_subcommand_from container" -f -a "stop" -d 'Stop one or more running containers'
complete -c berth -n "__fish_berth_using_subcommand help; and __fish_seen_subcommand_from container" -f -a "restart" -d 'Restart one or more containers'
complete -c berth -n "__fish_berth_using_subcommand help; and __fish_seen_subcommand_from container" -f -a "kill" -d 'Kill one or more running containers'
complete -c berth -n "__fish_berth_using_subcommand help; and __fish_seen_subcommand_from container" -f -a "rm" -d 'Remove one or more containers'
complete -c berth -n "__fish_berth_using_subcommand help; and __fish_seen_subcommand_from container" -f -a "ls" -d 'List containers'
complete -c berth -n "__fish_berth_using_subcommand help; and __fish_seen_subcommand_from container" -f -a "logs" -d 'Fetch the logs of a container'
complete -c berth -n "__fish_berth_using_subcommand help; and __fish_seen_subcommand_from container" -f -a "wait" -d 'Block until one or more containers stop, then print their exit codes'
complete -c berth -n "__fish_berth_using_subcommand help; and __fish_seen_subcommand_from container" -f -a "rename" -d 'Rename a container'
complete -c berth -n "__fish_berth_using_subcommand help; and __fish_seen_subcommand_from container" -f -a "prune" -d 'Remove all stopped containers'
complete -c berth -n "__fish_berth_using_subcommand help; and __fish_seen_subcommand_from container" -f -a "exec" -d 'Execute a command in a running container'
complete -c berth -n "__fish_berth_using_subcommand help; and __fish_seen_subcommand_from container" -f -a "attach" -d 'Attach local standard input, output, and error streams to a running container'
complete -c berth -n "__fish_berth_using_subcommand help; and __fish_seen_subcommand_from container" -f -a "top" -d 'Display the running processes of a container'
complete -c berth -n "__fish_berth_using_subcommand help; and __fish_seen_subcommand_from container" -f -a "stats" -d 'Display a live stream of container(s) resource usage statistics'
complete -c berth -n "__fish_berth_using_subcommand help; and __fish_seen_subcommand_from container" -f -a "pause" -d 'Pause all processes within one or more containers'
complete -c berth -n "__fish_berth_using_subcommand help; and __fish_seen_subcommand_from container" -f -a "unpause" -d 'Unpause all processes within one or more containers'
complete -c berth -n "__fish_berth_using_subcommand help; and __fish_seen_subcommand_from container" -f -a "inspect" -d 'Display detailed information on one or more containers'
complete -c berth -n "__fish_berth_using_subcommand help; and __fish_seen_subcommand_from container" -f -a "exists" -d 'Exit 0 if the container exists, 1 if not'
complete -c berth -n "__fish_berth_using_subcommand help; and __fish_seen_subcommand_from container" -f -a "cp" -d 'Copy files/folders between a container and the local filesystem'
complete -c berth -n "__fish_berth_using_subcommand help; and __fish_seen_subcommand_from container" -f -a "export" -d 'Export a container\'s filesystem as a tar archive'
complete -c berth -n "__fish_berth_using_subcommand help; and __fish_seen_subcommand_from container" -f -a "diff" -d 'Inspect changes to files or directories on a container\'s filesystem'
complete -c berth -n "__fish_berth_using_subcommand help; and __fish_seen_subcommand_from container" -f -a "update" -d 'Update configuration of one or more containers'
complete -c berth -n "__fish_berth_using_subcommand help; and __fish_seen_subcommand_from container" -f -a "port" -d 'List port mappings or a specific mapping for the container'
complete -c berth -n "__fish_berth_using_subcommand help; and __fish_seen_subcommand_from builder" -f -a "build" -d 'Build an image from a Dockerfile'
complete -c berth -n "__fish_berth_using_subcommand help; and __fish_seen_subcommand_from builder" -f -a "prune" -d 'Remove build cache'
complete -c berth -n "__fish_berth_using_subcommand help; and __fish_seen_subcommand_from image" -f -a "build" -d 'Build an image from a Dockerfile'
complete -c berth -n "__fish_berth_using_subcommand help; and __fish_seen_subcommand_from image" -f -a "ls" -d 'List images'
complete -c berth -n "__fish_berth_using_subcommand help; and __fish_seen_subcommand_from image" -f -a "rm" -d 'Remove one or more images'
complete -c berth -n "__fish_berth_using_subcommand help; and __fish_seen_subcommand_from image" -f -a "pull" -d 'Download an image from a registry'
complete -c berth -n "__fish_berth_using_subcommand help; and __fish_seen_subcommand_from image" -f -a "push" -d 'Upload an image to a registry'
complete -c berth -n "__fish_berth_using_subcommand help; and __fish_seen_subcommand_from image" -f -a "tag" -d 'Create a tag TARGET_IMAGE that refers to SOURCE_IMAGE'
complete -c berth -n "__fish_berth_using_subcommand help; and __fish_seen_subcommand_from image" -f -a "inspect" -d 'Show low-level information on images'
complete -c berth -n "__fish_berth_using_subcommand help; and __fish_seen_subcommand_from image" -f -a "history" -d 'Show the history of an image'
complete -c berth -n "__fish_berth_using_subcommand help; and __fish_seen_subcommand_from image" -f -a "prune" -d 'Remove unused images'
complete -c berth -n "__fish_berth_using_subcommand help; and __fish_seen_subcommand_from image" -f -a "mount" -d 'Mount an image\'s root filesystem read-only and print its path'
complete -c berth -n "__fish_berth_using_subcommand help; and __fish_seen_subcommand_from image" -f -a "unmount" -d 'Unmount an image mounted with `image mount`'
complete -c berth -n "__fish_berth_using_subcommand help; and __fish_seen_subcommand_from image" -f -a "exists" -d 'Exit 0 if the image exists, 1 if not'
complete -c berth -n "__fish_berth_using_subcommand help; and __fish_seen_subcommand_from image" -f -a "untag" -d 'Remove names from an image (all of them without NAME); the image stays'
complete -c berth -n "__fish_berth_using_subcommand help; and __fish_seen_subcommand_from network" -f -a "create" -d 'Create a network'
complete -c berth -n "__fish_berth_using_subcommand help; and __fish_seen_subcommand_from network" -f -a "ls" -d 'List networks'
complete -c berth -n "__fish_berth_using_subcommand help; and __fish_seen_subcommand_from network" -f -a "inspect" -d 'Display detailed information on one or more networks'
complete -c berth -n "__fish_berth_using_subcommand help; and __fish_seen_subcommand_from network" -f -a "rm" -d 'Remove one or more networks'
complete -c berth -n "__fish_berth_using_subcommand help; and __fish_seen_subcommand_from network" -f -a "prune" -d 'Remove all unused networks'
complete -c berth -n "__fish_berth_using_subcommand help; and __fish_seen_subcommand_from network" -f -a "connect" -d 'Connect a container to a network'
complete -c berth -n "__fish_berth_using_subcommand help; and __fish_seen_subcommand_from network" -f -a "disconnect" -d 'Disconnect a container from a network'
complete -c berth -n "__fish_berth_using_subcommand help; and __fish_seen_subcommand_from network" -f -a "exists" -d 'Exit 0 if the network exists, 1 if not'
complete -c berth -n "__fish_berth_using_subcommand help; and __fish_seen_subcommand_from volume" -f -a "create" -d 'Create a volume'
complete -c berth -n "__fish_berth_using_subcommand help; and __fish_seen_subcommand_from volume" -f -a "ls" -d 'List volumes'
complete -c berth -n "__fish_berth_using_subcommand help; and __fish_seen_subcommand_from volume" -f -a "inspect" -d 'Display detailed information on one or more volumes'
complete -c berth -n "__fish_berth_using_subcommand help; and __fish_seen_subcommand_from volume" -f -a "rm" -d 'Remove one or more volumes'
complete -c berth -n "__fish_berth_using_subcommand help; and __fish_seen_subcommand_from volume" -f -a "prune" -d 'Remove unused local volumes'
complete -c berth -n "__fish_berth_using_subcommand help; and __fish_seen_subcommand_from volume" -f -a "exists" -d 'Exit 0 if the volume exists, 1 if not'
complete -c berth -n "__fish_berth_using_subcommand help; and __fish_seen_subcommand_from system" -f -a "df" -d 'Show disk usage'
complete -c berth -n "__fish_berth_using_subcommand help; and __fish_seen_subcommand_from system" -f -a "prune" -d 'Remove unused data'
complete -c berth -n "__fish_berth_using_subcommand help; and __fish_seen_subcommand_from system" -f -a "reset" -d 'Remove every container, network, volume and image, and berth\'s kernel state (bridges, firewall rules): the root and run root directories are deleted'
complete -c berth -n "__fish_berth_using_subcommand help; and __fish_seen_subcommand_from system" -f -a "service" -d 'Serve the Docker Engine API on a unix socket (for the docker CLI, Compose, SDKs)'
complete -c berth -n "__fish_berth_using_subcommand help; and __fish_seen_subcommand_from system" -f -a "events" -d 'Get real time events from the server'
complete -c berth -n "__fish_berth_using_subcommand help; and __fish_seen_subcommand_from system" -f -a "info" -d 'Display system-wide information'
