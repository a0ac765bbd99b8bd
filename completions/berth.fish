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
complete -c berth -n "__fish_berth_needs_command" -f -a "pull" -d 'Download an image from a registry'
complete -c berth -n "__fish_berth_needs_command" -f -a "images" -d 'List images'
complete -c berth -n "__fish_berth_needs_command" -f -a "rmi" -d 'Remove one or more images'
complete -c berth -n "__fish_berth_needs_command" -f -a "tag" -d 'Create a tag TARGET_IMAGE that refers to SOURCE_IMAGE'
complete -c berth -n "__fish_berth_needs_command" -f -a "inspect" -d 'Show low-level information on images'
complete -c berth -n "__fish_berth_needs_command" -f -a "history" -d 'Show the history of an image'
complete -c berth -n "__fish_berth_needs_command" -f -a "image" -d 'Manage images'
complete -c berth -n "__fish_berth_needs_command" -f -a "login" -d 'Log in to a registry'
complete -c berth -n "__fish_berth_needs_command" -f -a "logout" -d 'Log out from a registry'
complete -c berth -n "__fish_berth_needs_command" -f -a "completion" -d 'Print a shell completion script'
complete -c berth -n "__fish_berth_needs_command" -f -a "generate-man" -d 'Write man pages into a directory (used by scripts/gen-docs)'
complete -c berth -n "__fish_berth_needs_command" -f -a "help" -d 'Print this message or the help of the given subcommand(s)'
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
complete -c berth -n "__fish_berth_using_subcommand images" -l format -d 'Output format: table, json, or a Go template such as \'{{.Repository}}:{{.Tag}}\'' -r
complete -c berth -n "__fish_berth_using_subcommand images" -l root -d 'Directory for persistent data (images, layers, state database)' -r -F
complete -c berth -n "__fish_berth_using_subcommand images" -l runroot -d 'Directory for volatile state (mounts, sockets)' -r -F
complete -c berth -n "__fish_berth_using_subcommand images" -l log-level -d 'Log level for diagnostics on stderr' -r -f -a "trace\t''
debug\t''
info\t''
warn\t''
error\t''"
complete -c berth -n "__fish_berth_using_subcommand images" -s a -l all -d 'Show all images (berth keeps no intermediate images, so this is the default list)'
complete -c berth -n "__fish_berth_using_subcommand images" -s q -l quiet -d 'Only show image IDs'
complete -c berth -n "__fish_berth_using_subcommand images" -l digests -d 'Show digests'
complete -c berth -n "__fish_berth_using_subcommand images" -l no-trunc -d 'Don\'t truncate output'
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
complete -c berth -n "__fish_berth_using_subcommand inspect" -s f -l format -d 'Format the output with a Go template, or \'json\'' -r
complete -c berth -n "__fish_berth_using_subcommand inspect" -l type -d 'Only inspect objects of this type' -r -f -a "image\t''"
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
complete -c berth -n "__fish_berth_using_subcommand image; and not __fish_seen_subcommand_from ls list rm remove pull tag inspect history prune mount unmount umount help" -l root -d 'Directory for persistent data (images, layers, state database)' -r -F
complete -c berth -n "__fish_berth_using_subcommand image; and not __fish_seen_subcommand_from ls list rm remove pull tag inspect history prune mount unmount umount help" -l runroot -d 'Directory for volatile state (mounts, sockets)' -r -F
complete -c berth -n "__fish_berth_using_subcommand image; and not __fish_seen_subcommand_from ls list rm remove pull tag inspect history prune mount unmount umount help" -l log-level -d 'Log level for diagnostics on stderr' -r -f -a "trace\t''
debug\t''
info\t''
warn\t''
error\t''"
complete -c berth -n "__fish_berth_using_subcommand image; and not __fish_seen_subcommand_from ls list rm remove pull tag inspect history prune mount unmount umount help" -s h -l help -d 'Print help'
complete -c berth -n "__fish_berth_using_subcommand image; and not __fish_seen_subcommand_from ls list rm remove pull tag inspect history prune mount unmount umount help" -s V -l version -d 'Print version'
complete -c berth -n "__fish_berth_using_subcommand image; and not __fish_seen_subcommand_from ls list rm remove pull tag inspect history prune mount unmount umount help" -f -a "ls" -d 'List images'
complete -c berth -n "__fish_berth_using_subcommand image; and not __fish_seen_subcommand_from ls list rm remove pull tag inspect history prune mount unmount umount help" -f -a "list" -d 'List images'
complete -c berth -n "__fish_berth_using_subcommand image; and not __fish_seen_subcommand_from ls list rm remove pull tag inspect history prune mount unmount umount help" -f -a "rm" -d 'Remove one or more images'
complete -c berth -n "__fish_berth_using_subcommand image; and not __fish_seen_subcommand_from ls list rm remove pull tag inspect history prune mount unmount umount help" -f -a "remove" -d 'Remove one or more images'
complete -c berth -n "__fish_berth_using_subcommand image; and not __fish_seen_subcommand_from ls list rm remove pull tag inspect history prune mount unmount umount help" -f -a "pull" -d 'Download an image from a registry'
complete -c berth -n "__fish_berth_using_subcommand image; and not __fish_seen_subcommand_from ls list rm remove pull tag inspect history prune mount unmount umount help" -f -a "tag" -d 'Create a tag TARGET_IMAGE that refers to SOURCE_IMAGE'
complete -c berth -n "__fish_berth_using_subcommand image; and not __fish_seen_subcommand_from ls list rm remove pull tag inspect history prune mount unmount umount help" -f -a "inspect" -d 'Show low-level information on images'
complete -c berth -n "__fish_berth_using_subcommand image; and not __fish_seen_subcommand_from ls list rm remove pull tag inspect history prune mount unmount umount help" -f -a "history" -d 'Show the history of an image'
complete -c berth -n "__fish_berth_using_subcommand image; and not __fish_seen_subcommand_from ls list rm remove pull tag inspect history prune mount unmount umount help" -f -a "prune" -d 'Remove unused images'
complete -c berth -n "__fish_berth_using_subcommand image; and not __fish_seen_subcommand_from ls list rm remove pull tag inspect history prune mount unmount umount help" -f -a "mount" -d 'Mount an image\'s root filesystem read-only and print its path'
complete -c berth -n "__fish_berth_using_subcommand image; and not __fish_seen_subcommand_from ls list rm remove pull tag inspect history prune mount unmount umount help" -f -a "unmount" -d 'Unmount an image mounted with `image mount`'
complete -c berth -n "__fish_berth_using_subcommand image; and not __fish_seen_subcommand_from ls list rm remove pull tag inspect history prune mount unmount umount help" -f -a "umount" -d 'Unmount an image mounted with `image mount`'
complete -c berth -n "__fish_berth_using_subcommand image; and not __fish_seen_subcommand_from ls list rm remove pull tag inspect history prune mount unmount umount help" -f -a "help" -d 'Print this message or the help of the given subcommand(s)'
complete -c berth -n "__fish_berth_using_subcommand image; and __fish_seen_subcommand_from ls" -l format -d 'Output format: table, json, or a Go template such as \'{{.Repository}}:{{.Tag}}\'' -r
complete -c berth -n "__fish_berth_using_subcommand image; and __fish_seen_subcommand_from ls" -l root -d 'Directory for persistent data (images, layers, state database)' -r -F
complete -c berth -n "__fish_berth_using_subcommand image; and __fish_seen_subcommand_from ls" -l runroot -d 'Directory for volatile state (mounts, sockets)' -r -F
complete -c berth -n "__fish_berth_using_subcommand image; and __fish_seen_subcommand_from ls" -l log-level -d 'Log level for diagnostics on stderr' -r -f -a "trace\t''
debug\t''
info\t''
warn\t''
error\t''"
complete -c berth -n "__fish_berth_using_subcommand image; and __fish_seen_subcommand_from ls" -s a -l all -d 'Show all images (berth keeps no intermediate images, so this is the default list)'
complete -c berth -n "__fish_berth_using_subcommand image; and __fish_seen_subcommand_from ls" -s q -l quiet -d 'Only show image IDs'
complete -c berth -n "__fish_berth_using_subcommand image; and __fish_seen_subcommand_from ls" -l digests -d 'Show digests'
complete -c berth -n "__fish_berth_using_subcommand image; and __fish_seen_subcommand_from ls" -l no-trunc -d 'Don\'t truncate output'
complete -c berth -n "__fish_berth_using_subcommand image; and __fish_seen_subcommand_from ls" -s h -l help -d 'Print help'
complete -c berth -n "__fish_berth_using_subcommand image; and __fish_seen_subcommand_from ls" -s V -l version -d 'Print version'
complete -c berth -n "__fish_berth_using_subcommand image; and __fish_seen_subcommand_from list" -l format -d 'Output format: table, json, or a Go template such as \'{{.Repository}}:{{.Tag}}\'' -r
complete -c berth -n "__fish_berth_using_subcommand image; and __fish_seen_subcommand_from list" -l root -d 'Directory for persistent data (images, layers, state database)' -r -F
complete -c berth -n "__fish_berth_using_subcommand image; and __fish_seen_subcommand_from list" -l runroot -d 'Directory for volatile state (mounts, sockets)' -r -F
complete -c berth -n "__fish_berth_using_subcommand image; and __fish_seen_subcommand_from list" -l log-level -d 'Log level for diagnostics on stderr' -r -f -a "trace\t''
debug\t''
info\t''
warn\t''
error\t''"
complete -c berth -n "__fish_berth_using_subcommand image; and __fish_seen_subcommand_from list" -s a -l all -d 'Show all images (berth keeps no intermediate images, so this is the default list)'
complete -c berth -n "__fish_berth_using_subcommand image; and __fish_seen_subcommand_from list" -s q -l quiet -d 'Only show image IDs'
complete -c berth -n "__fish_berth_using_subcommand image; and __fish_seen_subcommand_from list" -l digests -d 'Show digests'
complete -c berth -n "__fish_berth_using_subcommand image; and __fish_seen_subcommand_from list" -l no-trunc -d 'Don\'t truncate output'
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
complete -c berth -n "__fish_berth_using_subcommand image; and __fish_seen_subcommand_from inspect" -l type -d 'Only inspect objects of this type' -r -f -a "image\t''"
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
complete -c berth -n "__fish_berth_using_subcommand image; and __fish_seen_subcommand_from help" -f -a "ls" -d 'List images'
complete -c berth -n "__fish_berth_using_subcommand image; and __fish_seen_subcommand_from help" -f -a "rm" -d 'Remove one or more images'
complete -c berth -n "__fish_berth_using_subcommand image; and __fish_seen_subcommand_from help" -f -a "pull" -d 'Download an image from a registry'
complete -c berth -n "__fish_berth_using_subcommand image; and __fish_seen_subcommand_from help" -f -a "tag" -d 'Create a tag TARGET_IMAGE that refers to SOURCE_IMAGE'
complete -c berth -n "__fish_berth_using_subcommand image; and __fish_seen_subcommand_from help" -f -a "inspect" -d 'Show low-level information on images'
complete -c berth -n "__fish_berth_using_subcommand image; and __fish_seen_subcommand_from help" -f -a "history" -d 'Show the history of an image'
complete -c berth -n "__fish_berth_using_subcommand image; and __fish_seen_subcommand_from help" -f -a "prune" -d 'Remove unused images'
complete -c berth -n "__fish_berth_using_subcommand image; and __fish_seen_subcommand_from help" -f -a "mount" -d 'Mount an image\'s root filesystem read-only and print its path'
complete -c berth -n "__fish_berth_using_subcommand image; and __fish_seen_subcommand_from help" -f -a "unmount" -d 'Unmount an image mounted with `image mount`'
complete -c berth -n "__fish_berth_using_subcommand image; and __fish_seen_subcommand_from help" -f -a "help" -d 'Print this message or the help of the given subcommand(s)'
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
complete -c berth -n "__fish_berth_using_subcommand generate-man" -l root -d 'Directory for persistent data (images, layers, state database)' -r -F
complete -c berth -n "__fish_berth_using_subcommand generate-man" -l runroot -d 'Directory for volatile state (mounts, sockets)' -r -F
complete -c berth -n "__fish_berth_using_subcommand generate-man" -l log-level -d 'Log level for diagnostics on stderr' -r -f -a "trace\t''
debug\t''
info\t''
warn\t''
error\t''"
complete -c berth -n "__fish_berth_using_subcommand generate-man" -s h -l help -d 'Print help'
complete -c berth -n "__fish_berth_using_subcommand generate-man" -s V -l version -d 'Print version'
complete -c berth -n "__fish_berth_using_subcommand help; and not __fish_seen_subcommand_from pull images rmi tag inspect history image login logout completion generate-man help" -f -a "pull" -d 'Download an image from a registry'
complete -c berth -n "__fish_berth_using_subcommand help; and not __fish_seen_subcommand_from pull images rmi tag inspect history image login logout completion generate-man help" -f -a "images" -d 'List images'
complete -c berth -n "__fish_berth_using_subcommand help; and not __fish_seen_subcommand_from pull images rmi tag inspect history image login logout completion generate-man help" -f -a "rmi" -d 'Remove one or more images'
complete -c berth -n "__fish_berth_using_subcommand help; and not __fish_seen_subcommand_from pull images rmi tag inspect history image login logout completion generate-man help" -f -a "tag" -d 'Create a tag TARGET_IMAGE that refers to SOURCE_IMAGE'
complete -c berth -n "__fish_berth_using_subcommand help; and not __fish_seen_subcommand_from pull images rmi tag inspect history image login logout completion generate-man help" -f -a "inspect" -d 'Show low-level information on images'
complete -c berth -n "__fish_berth_using_subcommand help; and not __fish_seen_subcommand_from pull images rmi tag inspect history image login logout completion generate-man help" -f -a "history" -d 'Show the history of an image'
complete -c berth -n "__fish_berth_using_subcommand help; and not __fish_seen_subcommand_from pull images rmi tag inspect history image login logout completion generate-man help" -f -a "image" -d 'Manage images'
complete -c berth -n "__fish_berth_using_subcommand help; and not __fish_seen_subcommand_from pull images rmi tag inspect history image login logout completion generate-man help" -f -a "login" -d 'Log in to a registry'
complete -c berth -n "__fish_berth_using_subcommand help; and not __fish_seen_subcommand_from pull images rmi tag inspect history image login logout completion generate-man help" -f -a "logout" -d 'Log out from a registry'
complete -c berth -n "__fish_berth_using_subcommand help; and not __fish_seen_subcommand_from pull images rmi tag inspect history image login logout completion generate-man help" -f -a "completion" -d 'Print a shell completion script'
complete -c berth -n "__fish_berth_using_subcommand help; and not __fish_seen_subcommand_from pull images rmi tag inspect history image login logout completion generate-man help" -f -a "generate-man" -d 'Write man pages into a directory (used by scripts/gen-docs)'
complete -c berth -n "__fish_berth_using_subcommand help; and not __fish_seen_subcommand_from pull images rmi tag inspect history image login logout completion generate-man help" -f -a "help" -d 'Print this message or the help of the given subcommand(s)'
complete -c berth -n "__fish_berth_using_subcommand help; and __fish_seen_subcommand_from image" -f -a "ls" -d 'List images'
complete -c berth -n "__fish_berth_using_subcommand help; and __fish_seen_subcommand_from image" -f -a "rm" -d 'Remove one or more images'
complete -c berth -n "__fish_berth_using_subcommand help; and __fish_seen_subcommand_from image" -f -a "pull" -d 'Download an image from a registry'
complete -c berth -n "__fish_berth_using_subcommand help; and __fish_seen_subcommand_from image" -f -a "tag" -d 'Create a tag TARGET_IMAGE that refers to SOURCE_IMAGE'
complete -c berth -n "__fish_berth_using_subcommand help; and __fish_seen_subcommand_from image" -f -a "inspect" -d 'Show low-level information on images'
complete -c berth -n "__fish_berth_using_subcommand help; and __fish_seen_subcommand_from image" -f -a "history" -d 'Show the history of an image'
complete -c berth -n "__fish_berth_using_subcommand help; and __fish_seen_subcommand_from image" -f -a "prune" -d 'Remove unused images'
complete -c berth -n "__fish_berth_using_subcommand help; and __fish_seen_subcommand_from image" -f -a "mount" -d 'Mount an image\'s root filesystem read-only and print its path'
complete -c berth -n "__fish_berth_using_subcommand help; and __fish_seen_subcommand_from image" -f -a "unmount" -d 'Unmount an image mounted with `image mount`'
