# bash completion for ccmeterd (installed by scripts/run into
# ${XDG_DATA_HOME:-~/.local/share}/bash-completion/completions/ccmeterd).
# tests/integration/test_completions.py checks that every subcommand and option of
# `ccmeterd --help` is here.
_ccmeterd() {
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
    if [[ -z "$sub" ]]; then
        COMPREPLY=($(compgen -W "ingest serve restore team --help --version" -- "$cur"))
        return
    fi
    case "$prev" in
        --config-dir|--backup-dir) COMPREPLY=($(compgen -d -- "$cur")); return ;;
        --db|--prices|--file) COMPREPLY=($(compgen -f -- "$cur")); return ;;
        --by) COMPREPLY=($(compgen -W "model day session project" -- "$cur")); return ;;
        --backup-interval) COMPREPLY=($(compgen -W "1h 6h 24h 7d" -- "$cur")); return ;;
        --web-port|--backup-keep|--batch-lines) return ;;
    esac
    local options=""
    case "$sub" in
        ingest) options="--config-dir --file --db --prices --json --by --quiet --batch-lines --progress --help" ;;
        serve) options="--config-dir --db --prices --poll --web-port --backup-dir --backup-interval --backup-keep --help" ;;
        restore)
            options="--db --stop-daemon --help"
            if [[ "$cur" != -* ]]; then
                COMPREPLY=($(compgen -f -- "$cur"))
                return
            fi ;;
        team) options="init add-member sync --dsn --db --help" ;;
    esac
    COMPREPLY=($(compgen -W "$options" -- "$cur"))
}
complete -F _ccmeterd ccmeterd
