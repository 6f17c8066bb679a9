# bash completion for hookctl (installed by scripts/run into
# ${XDG_DATA_HOME:-~/.local/share}/bash-completion/completions/hookctl).
# tests/integration/test_completions.py checks that every subcommand and option of
# `hookctl --help` is here.
_hookctl() {
    local cur prev sub i
    cur="${COMP_WORDS[COMP_CWORD]}"
    prev="${COMP_WORDS[COMP_CWORD-1]}"
    sub=""
    for ((i = 1; i < COMP_CWORD; i++)); do
        case "${COMP_WORDS[i]}" in
            -*) ;;
            *) sub="${COMP_WORDS[i]}"; break ;;
        esac
    done
    local subcommands="hook statusline stats install uninstall doctor web pricing export backup watch top"
    if [[ -z "$sub" ]]; then
        COMPREPLY=($(compgen -W "$subcommands --help --version" -- "$cur"))
        return
    fi
    case "$prev" in
        --what) COMPREPLY=($(compgen -W "responses sessions daily" -- "$cur")); return ;;
        --format)
            if [[ "$sub" == export ]]; then
                COMPREPLY=($(compgen -W "json csv" -- "$cur"))
            fi
            return ;;
        --color) COMPREPLY=($(compgen -W "auto always never" -- "$cur")); return ;;
        --output) COMPREPLY=($(compgen -f -- "$cur")); return ;;
        --project) COMPREPLY=($(compgen -d -- "$cur")); return ;;
        --tz)
            if [[ -d /usr/share/zoneinfo ]]; then
                COMPREPLY=($(cd /usr/share/zoneinfo && compgen -f -- "$cur"))
            fi
            return ;;
        --since|--until) return ;;
    esac
    local options=""
    case "$sub" in
        hook) options="--help" ;;
        statusline) options="--format --color --help" ;;
        stats)
            options="--since --until --tz --project --session --json --breakdown --limit --all --team --help"
            if [[ "$cur" != -* ]]; then
                COMPREPLY=($(compgen -W "summary daily weekly monthly sessions projects models blocks check limits activity branches tools session members machines" -- "$cur"))
                return
            fi ;;
        install) options="--force --service --no-telemetry --help" ;;
        uninstall) options="--service --help" ;;
        doctor) options="--json --help" ;;
        web) options="--no-open --help" ;;
        pricing) options="--json --help" ;;
        export) options="--what --format --since --until --project --tz --output --help" ;;
        watch) options="--json --help" ;;
        top) options="--help" ;;
        backup)
            options="--help"
            if [[ "$cur" != -* ]]; then
                COMPREPLY=($(compgen -f -- "$cur"))
                return
            fi ;;
    esac
    COMPREPLY=($(compgen -W "$options" -- "$cur"))
}
complete -F _hookctl hookctl
