from sfa_desktop.cli import main

raise SystemExit(main())
