from fer_report.cli import main

raise SystemExit(main())
